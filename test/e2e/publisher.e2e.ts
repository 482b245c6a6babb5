// <janus-publisher> end to end: the tag pasted into a page publishes Chromium's fake camera and
// microphone into the real Janus; a subscriber in another browser context receives it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { adminHandles, createRoom, launchBrowser, listParticipants, openPage, stack, waitFor } from './support.js';

interface PageGlobals {
  widgets: typeof import('../../src/index.js');
  el(): import('../../src/index.js').JanusPublisher;
  janusIds(): { session: number; handle: string };
  subscriber: import('../../src/index.js').VideoRoomSubscriber | undefined;
  paste(markup: string): number;
  ready: boolean;
  tracks: MediaStreamTrack[];
  recorded: Array<{ type: string; detail: Record<string, unknown>; at: number }>;
}
type TestWindow = Window & PageGlobals;
declare const el: PageGlobals['el'];
declare const janusIds: PageGlobals['janusIds'];

interface Received {
  framesDecoded: number;
  audioPackets: number;
}

/** What the subscriber context has received so far. */
function received(page: Page): Promise<Received> {
  return page.evaluate(async () => {
    const report = await (window as unknown as TestWindow).subscriber!.pc!.getStats();
    const result = { framesDecoded: 0, audioPackets: 0 };
    report.forEach((entry) => {
      if (entry.type !== 'inbound-rtp') return;
      if (entry.kind === 'video') result.framesDecoded += entry.framesDecoded ?? 0;
      else if (entry.kind === 'audio') result.audioPackets += entry.packetsReceived ?? 0;
    });
    return result;
  });
}

/** How much arrived during one window (the window is the measurement, not a wait for something). */
async function flow(page: Page, windowMs = 700): Promise<Received> {
  const first = await received(page);
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const second = await received(page);
  return {
    framesDecoded: second.framesDecoded - first.framesDecoded,
    audioPackets: second.audioPackets - first.audioPackets,
  };
}

async function subscribe(page: Page, room: number, feed: number, relay = false): Promise<void> {
  const { janus, turn } = stack();
  await page.evaluate(
    async ({ ws, room, feed, iceServers, relay }) => {
      const w = window as unknown as TestWindow;
      await w.subscriber?.dispose();
      w.subscriber = new w.widgets.VideoRoomSubscriber({
        servers: [ws],
        iceServers,
        iceTransportPolicy: relay ? 'relay' : 'all',
        room,
      });
      w.subscriber.on('track', ({ track, on }) => {
        if (!on) return;
        const media = document.createElement(track.kind === 'video' ? 'video' : 'audio');
        media.muted = true;
        media.autoplay = true;
        media.srcObject = new MediaStream([track]);
        document.body.append(media);
      });
      await w.subscriber.subscribe([{ feed }]);
    },
    { ws: janus.ws, room, feed, iceServers: relay ? [turn.static] : [], relay },
  );
}

/** Pastes the tag, waits for janus-published and returns the feed id and the time it took. */
async function goLive(page: Page, attributes: string): Promise<{ feedId: number; ms: number }> {
  await page.evaluate(() => (window as unknown as TestWindow).recorded.splice(0));
  const pastedAt = await page.evaluate(
    (markup) => (window as unknown as TestWindow).paste(markup),
    `<janus-publisher ${attributes}></janus-publisher>`,
  );
  const published = await waitFor(
    () =>
      page.evaluate(() => {
        const w = window as unknown as TestWindow;
        const failure = w.recorded.find((e) => e.type === 'janus-error');
        if (failure) throw new Error(`janus-error ${JSON.stringify(failure.detail)}`);
        return w.recorded.find((e) => e.type === 'janus-published') ?? null;
      }),
    'janus-published',
    20000,
  );
  return { feedId: published.detail['feedId'] as number, ms: Math.round(published.at - pastedAt) };
}

/** The local candidate type of the publisher's selected ICE pair. */
function selectedLocalCandidateType(page: Page): Promise<string | undefined> {
  return page.evaluate(async () => {
    const report = await el().peerConnection!.getStats();
    let type: string | undefined;
    report.forEach((entry: Record<string, any>) => {
      if (entry.type === 'transport' && entry.selectedCandidatePairId) {
        const pair = report.get(entry.selectedCandidatePairId);
        type = report.get(pair.localCandidateId)?.candidateType;
      }
    });
    return type;
  });
}

async function handleInfo(session: number, handle: string): Promise<Record<string, any>> {
  const { admin, adminSecret } = stack().janus;
  const response = await fetch(`${admin}/${session}/${handle}`, {
    method: 'POST',
    body: JSON.stringify({ janus: 'handle_info', transaction: 'e2e', admin_secret: adminSecret }),
  });
  return ((await response.json()) as { info: Record<string, any> }).info;
}

/** Packets Janus received per simulcast substream of the publisher's video (main, sim-1, sim-2). */
async function substreamPackets(session: number, handle: string): Promise<{ rids: string[]; packets: number[] }> {
  const info = await handleInfo(session, handle);
  const video = Object.values(info['webrtc']?.['media'] ?? info['media'] ?? {}).find(
    (m: any) => m.type === 'video',
  ) as any;
  const inbound = video?.stats?.in ?? {};
  return {
    rids: video?.['rid-simulcast']?.rid ?? [],
    packets: [
      inbound.packets ?? 0,
      inbound['video-simulcast-1']?.packets ?? 0,
      inbound['video-simulcast-2']?.packets ?? 0,
    ],
  };
}

describe('<janus-publisher> end to end', () => {
  let browser: Browser;
  let publisherPage: Page;
  let subscriberPage: Page;
  let room: number;
  let feedId: number;
  let ids: { session: number; handle: string };

  before(async () => {
    browser = await launchBrowser();
    ({ page: publisherPage } = await openPage(browser, '/test/e2e/pages/publisher.html'));
    ({ page: subscriberPage } = await openPage(browser, '/test/e2e/pages/core.html'));
    await publisherPage.waitForFunction(() => (window as unknown as TestWindow).ready);
    await subscriberPage.waitForFunction(() => Boolean((window as unknown as TestWindow).widgets));
  });

  after(async () => {
    await browser?.close();
  });

  it('tag only: another browser context decodes video and receives audio; Janus sees three simulcast layers', async () => {
    room = await createRoom();
    const live = await goLive(
      publisherPage,
      `server="${stack().janus.ws}" room="${room}" display="Auctioneer" autostart`,
    );
    feedId = live.feedId;
    console.log(`[measure] tag pasted -> janus-published: ${live.ms} ms`);
    ids = (await publisherPage.evaluate(() => janusIds())) as typeof ids;
    const states = await publisherPage.evaluate(() =>
      (window as unknown as TestWindow).recorded.filter((e) => e.type === 'janus-state').map((e) => e.detail['state']),
    );
    assert.deepEqual(states, ['connecting', 'live']);
    assert.deepEqual(
      (await listParticipants(room)).map((p) => [p.id, p.display]),
      [[feedId, 'Auctioneer']],
    );

    const first = await waitFor(async () => {
      const now = await substreamPackets(ids.session, ids.handle);
      return now.packets.every((n) => n > 0) ? now : undefined;
    }, 'packets on all three substreams at Janus');
    assert.deepEqual(first.rids, ['h', 'm', 'l']);
    await waitFor(async () => {
      const now = await substreamPackets(ids.session, ids.handle);
      return now.packets.every((n, i) => n > first.packets[i]!);
    }, 'all three substreams to keep rising at Janus');

    const subscribedAt = Date.now();
    await subscribe(subscriberPage, room, feedId);
    await waitFor(async () => {
      const now = await received(subscriberPage);
      return now.framesDecoded > 0 && now.audioPackets > 0;
    }, 'first decoded frame and audio packets');
    console.log(`[measure] subscribe -> first decoded frame: ${Date.now() - subscribedAt} ms`);
    await waitFor(async () => {
      const delta = await flow(subscriberPage);
      return delta.framesDecoded > 5 && delta.audioPackets > 10;
    }, 'video frames and audio packets to keep arriving');
  });

  it('mute stops audio at the subscriber and unmute resumes it; camera off/on does the same for video', async () => {
    const click = (name: string) =>
      publisherPage.evaluate(
        (name) => (el().shadowRoot!.querySelector(`[part~="${name}"]`) as HTMLButtonElement).click(),
        name,
      );
    await click('mic-button');
    assert.equal(await publisherPage.evaluate(() => el().hasAttribute('muted')), true);
    const muted = await waitFor(async () => {
      const delta = await flow(subscriberPage);
      return delta.audioPackets === 0 ? delta : undefined;
    }, 'audio packets to stop at the subscriber');
    assert.ok(muted.framesDecoded > 0, 'video keeps flowing while muted');
    await click('mic-button');
    await waitFor(async () => (await flow(subscriberPage)).audioPackets > 10, 'audio packets to resume');

    await click('camera-button');
    assert.equal(await publisherPage.evaluate(() => el().hasAttribute('camera-off')), true);
    const dark = await waitFor(async () => {
      const delta = await flow(subscriberPage);
      return delta.framesDecoded === 0 ? delta : undefined;
    }, 'video frames to stop at the subscriber');
    assert.ok(dark.audioPackets > 10, 'audio keeps flowing with the camera off');
    await click('camera-button');
    await waitFor(async () => (await flow(subscriberPage)).framesDecoded > 5, 'video frames to resume');
  });

  // Chromium's second fake camera (device-count=2) cannot be sent: a bare RTCPeerConnection that
  // replaceTrack()s fake_device_0 -> fake_device_1 stops encoding too (fake_device_1 encodes no frame
  // even as the first track). So the camera is re-selected by its explicit deviceId (a new capture
  // and a new track through the same code path) and the microphone moves to another fake input.
  it('switching camera and microphone while live replaces the tracks, keeps audio flowing, no renegotiation', async () => {
    const before = await publisherPage.evaluate(async () => {
      const host = el();
      const devices = await navigator.mediaDevices.enumerateDevices();
      const audio = host.stream!.getAudioTracks()[0]!;
      return {
        camera: host.stream!.getVideoTracks()[0]!.getSettings().deviceId!,
        videoTrack: host.stream!.getVideoTracks()[0]!.id,
        mic: devices.find(
          (d) => d.kind === 'audioinput' && d.deviceId !== 'default' && d.deviceId !== audio.getSettings().deviceId,
        )!.deviceId,
        sdp: host.peerConnection!.localDescription!.sdp,
      };
    });
    const changes = () =>
      publisherPage.evaluate(() =>
        (window as unknown as TestWindow).recorded.filter((e) => e.type === 'janus-device-change').map((e) => e.detail),
      );
    // Sample the subscriber's audio every 150 ms across both switches: it must never stall.
    const samples: number[] = [(await received(subscriberPage)).audioPackets];
    await publisherPage.evaluate((id) => void (el().videoDevice = id), before.camera);
    for (let i = 0; i < 12; i++) {
      if (i === 6) await publisherPage.evaluate((id) => void (el().audioDevice = id), before.mic);
      await new Promise((resolve) => setTimeout(resolve, 150)); // the sampling interval
      samples.push((await received(subscriberPage)).audioPackets);
    }
    await waitFor(async () => (await changes()).length === 2, 'two janus-device-change events');
    assert.deepEqual(await changes(), [
      { kind: 'video', deviceId: before.camera, source: 'camera' },
      { kind: 'audio', deviceId: before.mic },
    ]);
    const stalls = samples.slice(1).filter((n, i) => n <= samples[i]!);
    assert.deepEqual(stalls, [], `audio packets rose in every 150 ms window: ${samples.join(', ')}`);
    const after = await publisherPage.evaluate(() => {
      const host = el();
      const senders = host.peerConnection!.getSenders();
      const video = senders.find((s) => s.track?.kind === 'video')!.track!;
      const audio = senders.find((s) => s.track?.kind === 'audio')!.track!;
      return {
        videoTrack: video.id,
        mic: audio.getSettings().deviceId,
        sdp: host.peerConnection!.localDescription!.sdp,
      };
    });
    assert.notEqual(after.videoTrack, before.videoTrack, 'the sender carries a new camera track');
    assert.equal(after.mic, before.mic, 'the sender carries the new microphone');
    assert.equal(after.sdp, before.sdp, 'no renegotiation');
    await waitFor(async () => {
      const delta = await flow(subscriberPage);
      return delta.framesDecoded > 5 && delta.audioPackets > 10;
    }, 'video frames and audio from the new tracks');
  });

  it('screen share publishes: the subscriber keeps decoding, the sender carries the screen', async () => {
    await publisherPage.evaluate(() =>
      (el().shadowRoot!.querySelector('[part~="screen-button"]') as HTMLButtonElement).click(),
    );
    const surface = await waitFor(
      () =>
        publisherPage.evaluate(
          () =>
            el()
              .peerConnection!.getSenders()
              .find((s) => s.track?.kind === 'video')
              ?.track?.getSettings().displaySurface,
        ),
      'the video sender to carry a screen capture',
    );
    assert.equal(surface, 'monitor');
    await waitFor(async () => {
      const delta = await flow(subscriberPage);
      return delta.framesDecoded > 5 && delta.audioPackets > 10;
    }, 'screen frames and audio at the subscriber');
  });

  it('removing the element stops every track and leaves no Janus handle or participant', async () => {
    await publisherPage.evaluate(() => el().remove());
    await waitFor(
      () =>
        publisherPage.evaluate(() => (window as unknown as TestWindow).tracks.every((t) => t.readyState === 'ended')),
      'every captured track to end',
    );
    await waitFor(async () => (await adminHandles(ids.session)).length === 0, 'no Janus handle');
    await waitFor(async () => (await listParticipants(room)).length === 0, 'no participant');
  });

  it('relay only through the static-user coturn (ice-servers + ice-transport-policy="relay")', async () => {
    room = await createRoom();
    const ice = JSON.stringify([stack().turn.static]).replaceAll('"', '&quot;');
    const live = await goLive(
      publisherPage,
      `server="${stack().janus.ws}" room="${room}" ice-servers="${ice}" ice-transport-policy="relay" autostart`,
    );
    console.log(`[measure] tag pasted -> janus-published (relay, static TURN user): ${live.ms} ms`);
    assert.equal(await selectedLocalCandidateType(publisherPage), 'relay');
    await subscribe(subscriberPage, room, live.feedId);
    await waitFor(async () => {
      const delta = await flow(subscriberPage);
      return delta.framesDecoded > 5 && delta.audioPackets > 10;
    }, 'media through the relay');
  });

  it('relay only with turn-credentials: credentials fetched from the TURN REST endpoint, then refreshed', async () => {
    room = await createRoom();
    const endpoint = `${stack().baseUrl}/turn-credentials?ttl=6`;
    const live = await goLive(
      publisherPage,
      `server="${stack().janus.ws}" room="${room}" turn-credentials="${endpoint}" ice-transport-policy="relay" autostart`,
    );
    console.log(`[measure] tag pasted -> janus-published (relay, TURN REST credentials): ${live.ms} ms`);
    assert.equal(await selectedLocalCandidateType(publisherPage), 'relay');
    await subscribe(subscriberPage, room, live.feedId);
    await waitFor(async () => {
      const delta = await flow(subscriberPage);
      return delta.framesDecoded > 5 && delta.audioPackets > 10;
    }, 'media through the relay');
    // A 6 s lifetime is refreshed at the 5 s floor; performance entries count the fetches.
    const fetches = () =>
      publisherPage.evaluate(
        () => performance.getEntriesByType('resource').filter((e) => e.name.includes('/turn-credentials')).length,
      );
    const initial = await fetches();
    assert.ok(initial >= 1);
    await waitFor(async () => (await fetches()) > initial, 'a refresh of the TURN credentials', 8000);
    await publisherPage.evaluate(() => el().remove());
  });
});
