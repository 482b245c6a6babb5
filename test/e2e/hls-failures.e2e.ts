// How <janus-viewer mode="hls"> meets broken streams, with playlists written into a folder that the
// test server serves (no bridge needed): a playlist that appears late, one that is not a playlist,
// one whose segments are missing, and one that stops growing. Segments are real, made by ffmpeg.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, tagPage } from './support.js';

type WidgetEvent = { type: string; detail: { state?: string; code?: string }; time: number };

/** HLS_RETRY_DELAYS_MS and HLS_STALL_MS in src/core/hls-engine.ts. */
const RETRIES_MS = [1000, 2000, 4000];
const STALL_MS = 8000;
const root = fileURLToPath(new URL('../..', import.meta.url));
const base = join(root, 'test/e2e/.hls', `failures-${process.pid}`);

/** Writes `count` one-second H.264 + AAC segments and returns a live playlist (no ENDLIST) listing them. */
function segments(folder: string, count: number): string {
  mkdirSync(folder, { recursive: true });
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x180:rate=15',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440',
    '-t',
    String(count),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '15',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-f',
    'hls',
    '-hls_time',
    '1',
    '-hls_list_size',
    '0',
    '-hls_flags',
    'program_date_time',
    '-hls_segment_filename',
    join(folder, 'segment-%d.ts'),
    join(folder, 'made.m3u8'),
  ]);
  return readFileSync(join(folder, 'made.m3u8'), 'utf8').replace('#EXT-X-ENDLIST\n', '');
}

function events(page: Page): Promise<WidgetEvent[]> {
  return page.evaluate(() => window.events as unknown as WidgetEvent[]);
}

const states = (list: WidgetEvent[]) => list.filter((e) => e.type === 'janus-state').map((e) => e.detail.state);
const errors = (list: WidgetEvent[]) => list.filter((e) => e.type === 'janus-error');

describe('<janus-viewer mode="hls"> and broken streams', () => {
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    rmSync(base, { recursive: true, force: true });
  });

  async function open(name: string): Promise<{ page: Page; requests: () => number; close: () => Promise<void> }> {
    const url = `/test/e2e/.hls/${base.split('/').at(-1)}/${name}/index.m3u8`;
    const { context, page } = await openPage(
      browser,
      tagPage('janus-viewer', { hls: url, mode: 'hls', 'no-controls': true }),
    );
    let count = 0;
    page.on('request', (request) => request.url().endsWith(`/${name}/index.m3u8`) && count++);
    return { page, requests: () => count, close: () => context.close() };
  }

  it('a playlist that is missing keeps `waiting` (no error), and plays once it appears', async () => {
    const folder = join(base, 'late');
    const playlist = segments(folder, 4);
    const { page, close } = await open('late');
    await page.waitForFunction(() => window.element?.state === 'waiting', undefined, { timeout: 10000 });
    // Several polls of the missing playlist: still waiting, never an error.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    assert.equal(await page.evaluate(() => window.element.state), 'waiting');
    assert.deepEqual(errors(await events(page)), []);
    writeFileSync(join(folder, 'index.m3u8'), playlist);
    await page.waitForFunction(() => window.element.state === 'live', undefined, { timeout: 10000 });
    assert.deepEqual(errors(await events(page)), []);
    await close();
  });

  it('a malformed playlist is retried with backoff, then hls-failed', async () => {
    const folder = join(base, 'malformed');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'index.m3u8'), '<html>Not a playlist</html>\n');
    const { page, requests, close } = await open('malformed');
    await page.waitForFunction(() => window.element?.state === 'error', undefined, { timeout: 20000 });
    const list = await events(page);
    const failure = errors(list);
    assert.equal(failure.length, 1, 'one janus-error');
    assert.equal(failure[0]?.detail.code, 'hls-failed');
    assert.equal(requests(), RETRIES_MS.length + 1, 'the first attempt and one per retry');
    const first = list.find((e) => e.type === 'janus-state' && e.detail.state === 'connecting')?.time ?? 0;
    const elapsed = (failure[0]?.time ?? 0) - first;
    const backoff = RETRIES_MS.reduce((a, b) => a + b, 0);
    console.log(`[hls] malformed playlist: hls-failed after ${Math.round(elapsed)} ms`);
    assert.ok(elapsed >= backoff - 100 && elapsed < backoff + 3000, `hls-failed after ${elapsed} ms`);
    assert.equal(
      await page.evaluate(() => (window.element as unknown as { error?: { code: string } }).error?.code),
      'hls-failed',
    );
    await close();
  });

  it('a playlist whose segments are missing is retried, then hls-failed', async () => {
    const folder = join(base, 'no-segments');
    const playlist = segments(folder, 3);
    writeFileSync(join(folder, 'index.m3u8'), playlist.replaceAll('segment-', 'gone-'));
    const { page, requests, close } = await open('no-segments');
    await page.waitForFunction(() => window.element?.state === 'error', undefined, { timeout: 30000 });
    const failure = errors(await events(page));
    assert.equal(failure.length, 1, 'one janus-error');
    assert.equal(failure[0]?.detail.code, 'hls-failed');
    assert.ok(requests() >= RETRIES_MS.length + 1, `${requests()} playlist loads`);
    await close();
  });

  it('a live playlist that stops growing: live, then a stall, retries, and hls-failed', async () => {
    const folder = join(base, 'stalled');
    writeFileSync(join(folder, 'index.m3u8'), segments(folder, 4));
    const { page, close } = await open('stalled');
    await page.waitForFunction(() => window.element?.state === 'live', undefined, { timeout: 15000 });
    const liveAt = (await page.evaluate(() => performance.now())) as number;
    await page.waitForFunction(() => window.element.state === 'error', undefined, { timeout: 40000 });
    const list = await events(page);
    const failure = errors(list);
    assert.equal(failure.length, 1, 'one janus-error');
    assert.equal(failure[0]?.detail.code, 'hls-failed');
    assert.match(String((failure[0]?.detail as { message?: string }).message), /stalled/);
    const seen = states(list);
    assert.ok(seen.indexOf('reconnecting') > seen.indexOf('live'), `states ${seen.join(' → ')}`);
    const elapsed = (failure[0]?.time ?? 0) - liveAt;
    console.log(`[hls] stalled playlist: hls-failed ${Math.round(elapsed)} ms after live`);
    assert.ok(elapsed >= STALL_MS - 2000, `no hls-failed before the stall bound (${elapsed} ms)`);
    await close();
  });
});
