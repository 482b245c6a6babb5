// Browser-side access to the real stack (served by the web-test-runner plugin in test/web-test-runner.config.mjs).
import type { ReactiveElement } from 'lit';
import type { StackInfo } from '../janus-api.mjs';

let cached: Promise<StackInfo> | undefined;

export function stackInfo(): Promise<StackInfo> {
  cached ??= fetch('/__stack').then((response) => response.json() as Promise<StackInfo>);
  return cached;
}

/** Creates a fresh VideoRoom room on the real Janus; options are VideoRoom `create` fields. */
export async function createRoom(options: Record<string, unknown> = {}): Promise<number> {
  const response = await fetch(`/__room?options=${encodeURIComponent(JSON.stringify(options))}`);
  return ((await response.json()) as { room: number }).room;
}

/** Live handles of a Janus session, from the admin API. */
export async function sessionHandles(sessionId: number): Promise<number[]> {
  const response = await fetch(`/__handles?session=${sessionId}`);
  return ((await response.json()) as { handles: number[] }).handles;
}

/** A room's participants, from the VideoRoom API. */
export async function participants(room: number): Promise<Array<{ id: number; display?: string; publisher: boolean }>> {
  const response = await fetch(`/__participants?room=${room}`);
  return ((await response.json()) as { participants: Array<{ id: number; display?: string; publisher: boolean }> })
    .participants;
}

const fakes: number[] = [];

/** Starts a scripted fake Janus (test/fake-janus.mjs); `stopFakeJanuses` stops every one started. */
export async function fakeJanus(script: string): Promise<{ id: number; url: string }> {
  const fake = (await (await fetch(`/__fake-janus?script=${script}`)).json()) as { id: number; url: string };
  fakes.push(fake.id);
  return fake;
}

export async function stopFakeJanuses(): Promise<void> {
  for (const id of fakes.splice(0)) await fetch(`/__fake-janus/stop?id=${id}`);
}

export { until } from '../poll.js';

/**
 * How many times a media element started loading again (`loadstart`: setting `srcObject`, even to
 * the same stream, reloads it and blanks the picture) while its element re-rendered three times.
 */
export async function reloadsOnRender(el: ReactiveElement, video: HTMLMediaElement): Promise<number> {
  let reloads = 0;
  const count = () => reloads++;
  video.addEventListener('loadstart', count);
  try {
    for (let i = 0; i < 3; i++) {
      el.requestUpdate();
      await el.updateComplete;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    video.removeEventListener('loadstart', count);
  }
  return reloads;
}
