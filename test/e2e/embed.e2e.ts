// Where site owners embed: inside a cross-origin iframe (as a CMS or a page builder does). With
// the `allow` the README gives, a publisher goes live and a viewer plays from inside the frame;
// without it, the publisher fails with media-denied saying what to add, and captures nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Frame, Page } from 'playwright-core';
import { createRoom, launchBrowser, openLivePublisher, openPage, stack, tagPage, waitFor } from './support.js';

const ALLOW = 'camera; microphone; autoplay; fullscreen; picture-in-picture';

interface FrameWindow {
  element?: HTMLElement & {
    state: string;
    error?: { code: string; message: string };
    stream?: MediaStream;
    shadowRoot: ShadowRoot;
  };
}

/** The page embedding `path` from another origin (localhost vs 127.0.0.1), and the frame. */
async function embed(browser: Browser, path: string, allow?: string): Promise<{ page: Page; frame: () => Frame }> {
  const inner = new URL(path, stack().baseUrl);
  inner.hostname = 'localhost';
  const query = new URLSearchParams({ src: inner.href });
  if (allow !== undefined) query.set('allow', allow);
  const { page } = await openPage(browser, `/test/e2e/pages/frame.html?${query}`);
  const frame = () => {
    const child = page.frames().find((f) => f.url().startsWith(inner.origin));
    if (!child) throw new Error('the iframe has not loaded');
    return child;
  };
  await waitFor(
    () => frame().evaluate(() => Boolean((window as FrameWindow).element)),
    'the element inside the iframe',
  );
  return { page, frame };
}

function stateIn(frame: Frame): Promise<string | undefined> {
  return frame.evaluate(() => (window as FrameWindow).element?.state);
}

describe('embedded in a cross-origin iframe', () => {
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it('with the documented allow: the publisher goes live and a viewer plays inside iframes', async () => {
    const room = await createRoom();
    const publisher = await embed(
      browser,
      tagPage('janus-publisher', { server: stack().janus.ws, room, autostart: true, resolution: '640x360' }),
      ALLOW,
    );
    await waitFor(async () => (await stateIn(publisher.frame())) === 'live', 'publisher live inside the iframe', 20000);
    const viewer = await embed(browser, tagPage('janus-viewer', { server: stack().janus.ws, room }), ALLOW);
    await waitFor(async () => (await stateIn(viewer.frame())) === 'live', 'viewer live inside the iframe');
    await waitFor(
      () =>
        viewer.frame().evaluate(() => {
          const video = (window as FrameWindow).element?.shadowRoot.querySelector('video');
          return Boolean(video && video.videoWidth > 0 && !video.paused && video.currentTime > 0.2);
        }),
      'the video playing inside the iframe',
    );
    await Promise.all([publisher.page.close(), viewer.page.close()]);
  });

  it('without allow: media-denied saying what to add to the iframe, and nothing captured', async () => {
    const room = await createRoom();
    const { page, frame } = await embed(
      browser,
      tagPage('janus-publisher', { server: stack().janus.ws, room, autostart: true }),
    );
    await waitFor(async () => (await stateIn(frame())) === 'error', 'publisher in error');
    const error = await frame().evaluate(() => (window as FrameWindow).element?.error);
    assert.equal(error?.code, 'media-denied');
    assert.match(error?.message ?? '', /iframe/);
    assert.match(error?.message ?? '', /allow="camera; microphone"/);
    const shown = await frame().evaluate(() => (window as FrameWindow).element?.shadowRoot.textContent ?? '');
    assert.match(shown, /allow="camera; microphone"/, 'the message is shown in the element');
    assert.equal(await frame().evaluate(() => (window as FrameWindow).element?.stream), undefined, 'nothing captured');
    await page.close();
  });

  it('a viewer needs no camera: it plays in an iframe that allows only autoplay', async () => {
    const room = await createRoom();
    const publisher = await openLivePublisher(browser, room);
    const viewer = await embed(browser, tagPage('janus-viewer', { server: stack().janus.ws, room }), 'autoplay');
    await waitFor(
      async () => (await stateIn(viewer.frame())) === 'live',
      'viewer live inside an iframe allowing autoplay',
    );
    await Promise.all([publisher.close(), viewer.page.close()]);
  });
});
