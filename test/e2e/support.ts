// Helpers for end-to-end tests: the real stack started by test/run.mjs, real Chromium, real Janus.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../chromium.mjs';

export interface StackInfo {
  baseUrl: string;
  janus: { ws: string; http: string; admin: string; adminSecret: string };
  turn: {
    static: { urls: string[]; username: string; credential: string };
    rest: { urls: string[]; secret: string };
  };
}

export function stack(): StackInfo {
  const raw = process.env['E2E_STACK'];
  if (!raw) throw new Error('E2E_STACK is not set: run the end-to-end tests through `npm test` (test/run.mjs)');
  return JSON.parse(raw) as StackInfo;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

/** A browser context with camera and microphone permission (so host candidates are not mDNS-hidden). */
export async function openPage(browser: Browser, path: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${path}: ${error.message}`));
  await page.goto(new URL(path, stack().baseUrl).href);
  return { context, page };
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  what: string,
  timeoutMs = 15000,
  everyMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
}

type JanusReply = Record<string, unknown> & { janus: string; data?: { id: number }; plugindata?: { data: Record<string, unknown> } };

async function janusPost(url: string, body: Record<string, unknown>): Promise<JanusReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ transaction: Math.random().toString(36).slice(2), ...body }),
  });
  return (await response.json()) as JanusReply;
}

/** Sends one synchronous VideoRoom request over Janus's HTTP API, in a short-lived session. */
export async function videoroomRequest(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { http } = stack().janus;
  const session = await janusPost(http, { janus: 'create' });
  const sessionUrl = `${http}/${session.data!.id}`;
  try {
    const handle = await janusPost(sessionUrl, { janus: 'attach', plugin: 'janus.plugin.videoroom' });
    const reply = await janusPost(`${sessionUrl}/${handle.data!.id}`, { janus: 'message', body });
    return reply.plugindata?.data ?? reply;
  } finally {
    await janusPost(sessionUrl, { janus: 'destroy' });
  }
}

let nextRoom = 100000 + Math.floor(Math.random() * 800000);

/** Creates a fresh room for one test, so tests never see each other's publishers. */
export async function createRoom(options: Record<string, unknown> = {}): Promise<number> {
  const room = nextRoom++;
  const reply = await videoroomRequest({
    request: 'create',
    room,
    publishers: 6,
    bitrate: 3_000_000,
    videocodec: 'vp8,h264',
    audiocodec: 'opus',
    ...options,
  });
  if (reply['videoroom'] !== 'created') throw new Error(`Could not create room: ${JSON.stringify(reply)}`);
  return room;
}

/** Asks Janus's admin API for every live handle of a session (empty when the session is gone). */
export async function adminHandles(sessionId: number): Promise<number[]> {
  const { admin, adminSecret } = stack().janus;
  const reply = await janusPost(`${admin}/${sessionId}`, { janus: 'list_handles', admin_secret: adminSecret });
  return reply.janus === 'success' ? ((reply['handles'] as number[] | undefined) ?? []) : [];
}

/** Every live Janus session id, from the admin API. */
export async function adminSessions(): Promise<number[]> {
  const { admin, adminSecret } = stack().janus;
  const reply = await janusPost(admin, { janus: 'list_sessions', admin_secret: adminSecret });
  return (reply['sessions'] as number[] | undefined) ?? [];
}
