import { expect } from '@open-wc/testing';
import { ControlBarController, type ControlBarHost } from '../../src/controllers/control-bar-controller.js';

const WAIT_MS = 30;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A host whose updates are counted; `update` runs the controller as Lit would before a render. */
function host(state: string) {
  const fake = {
    state,
    updates: 0,
    controller: undefined as ControlBarController | undefined,
    addController: () => {},
    removeController: () => {},
    requestUpdate: () => void fake.updates++,
    updateComplete: Promise.resolve(true),
    update(next: string) {
      fake.state = next;
      fake.controller!.hostUpdate();
    },
  };
  fake.controller = new ControlBarController(fake as ControlBarHost, WAIT_MS);
  return fake;
}

describe('ControlBarController', () => {
  it('keeps the bar back while starting and shows it at once in a settled state without video', () => {
    for (const state of ['waiting', 'error', 'reconnecting', 'closed']) {
      const viewer = host('idle');
      viewer.update('idle');
      viewer.update('connecting');
      expect(viewer.controller!.visible, state).to.equal(false);
      viewer.update(state);
      expect(viewer.controller!.visible, state).to.equal(true);
    }
  });

  it('shows the bar with the first frame, and the wait for it is then cancelled', async () => {
    const viewer = host('connecting');
    viewer.update('live');
    expect(viewer.controller!.visible).to.equal(false);
    viewer.controller!.firstFrame();
    expect(viewer.controller!.visible).to.equal(true);
    await sleep(WAIT_MS * 2);
    expect(viewer.updates).to.equal(1);
  });

  it('shows the bar once, at most the wait after going live, when no frame comes', async () => {
    const viewer = host('connecting');
    viewer.update('live');
    viewer.update('live');
    await sleep(WAIT_MS / 3);
    expect(viewer.controller!.visible).to.equal(false);
    await sleep(WAIT_MS * 2);
    expect(viewer.controller!.visible).to.equal(true);
    expect(viewer.updates).to.equal(1);
    viewer.controller!.firstFrame();
    expect(viewer.updates).to.equal(1);
  });

  it('stops waiting when its element is removed, and waits again once it is back', async () => {
    const viewer = host('connecting');
    viewer.update('live');
    viewer.controller!.hostDisconnected();
    await sleep(WAIT_MS * 2);
    expect(viewer.updates).to.equal(0);
    viewer.update('live');
    await sleep(WAIT_MS * 2);
    expect(viewer.updates).to.equal(1);
  });
});
