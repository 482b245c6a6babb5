import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import { until } from './stack.js';

/** The computed font of an element's `base` part (what its text is set in). */
async function baseFont(el: HTMLElement & { updateComplete: Promise<unknown> }) {
  // A connecting element renders once it failed to connect (see `stillQuiet`).
  const base = await until(() => el.shadowRoot!.querySelector<HTMLElement>('[part~="base"]') ?? undefined, 'rendered');
  const style = getComputedStyle(base);
  return { family: style.fontFamily, size: style.fontSize, weight: style.fontWeight };
}

// No server is reachable at port 1: the elements only render their error state, which is enough here.
describe('fonts', () => {
  it("the elements take the page's font by default, at their own size", async () => {
    const page = await fixture<HTMLElement>(html`<div style="font: 20px Georgia, serif">
      <janus-viewer server="ws://127.0.0.1:1" room="1"></janus-viewer>
      <janus-publisher server="ws://127.0.0.1:1" room="1" video="none" audio="none"></janus-publisher>
      <janus-stats></janus-stats>
    </div>`);
    const [viewer, publisher, stats] = [...page.children] as Array<HTMLElement & { updateComplete: Promise<unknown> }>;
    expect(await baseFont(viewer!)).to.include({ family: 'Georgia, serif', size: '14px' });
    expect(await baseFont(publisher!)).to.include({ family: 'Georgia, serif', size: '14px' });
    expect(await baseFont(stats!)).to.include({ family: 'Georgia, serif', size: '12px' });
  });

  it('--janus-font-family and the --janus-font shorthands override it', async () => {
    const page = await fixture<HTMLElement>(html`<div style="font-family: Georgia; --janus-font-family: monospace">
      <janus-viewer server="ws://127.0.0.1:1" room="1"></janus-viewer>
      <janus-viewer server="ws://127.0.0.1:1" room="1" style="--janus-font: 600 15px/1.4 serif"></janus-viewer>
      <janus-stats style="--janus-stats-font: 11px cursive"></janus-stats>
    </div>`);
    const [family, shorthand, stats] = [...page.children] as Array<HTMLElement & { updateComplete: Promise<unknown> }>;
    expect(await baseFont(family!)).to.include({ family: 'monospace', size: '14px' });
    expect(await baseFont(shorthand!)).to.include({ family: 'serif', size: '15px', weight: '600' });
    expect(await baseFont(stats!)).to.include({ family: 'cursive', size: '11px' });
  });
});
