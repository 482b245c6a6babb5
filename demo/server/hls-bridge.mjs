#!/usr/bin/env node
// The reference HLS deployment for large passive audiences: for one VideoRoom room, follows its
// publisher through Janus's HTTP API, asks VideoRoom to `rtp_forward` the publisher's audio and
// video to local UDP ports, and runs Debian's ffmpeg on them to write HLS (H.264 + AAC, a keyframe
// each second, 1 s segments, EXT-X-PROGRAM-DATE-TIME, a short rolling playlist) into a folder.
// Serve that folder over HTTP, behind any CDN; `<janus-viewer hls="…/index.m3u8">` plays it.
//
// Library:
//   import { startHlsBridge } from './demo/server/hls-bridge.mjs';
//   const bridge = await startHlsBridge({ janus: 'http://127.0.0.1:8088/janus', room: 1234, folder: '/srv/hls/1234' });
//   ... bridge.playlist, bridge.status(), bridge.ffmpegPid ...
//   await bridge.stop();
// CLI:
//   node demo/server/hls-bridge.mjs --janus http://127.0.0.1:8088/janus --room 1234 --folder ./hls [--secret S] [--pin P]
//
// Environment: HLS_RTP_PORT (default 46000): first of the 4 local UDP ports per bridge (audio RTP
// and RTCP, video RTP and RTCP); FFMPEG_BIN (default /usr/bin/ffmpeg).
//
// Why it works this way:
// - The bridge joins the room as a participant that never publishes: its handle then hears, by
//   long polling, which publishers exist and their streams' mids (Janus 1.x forwards per mid),
//   and when they leave. That needs the room's PIN (if any) and, for rtp_forward, its secret.
// - A missing playlist means "no broadcast": the folder is emptied when the publisher leaves,
//   so viewers see 404 and wait instead of replaying the end of the last broadcast.
// - VP8 is transcoded to H.264 because HLS players (hls.js, Safari) play H.264 + AAC everywhere;
//   forcing a keyframe each second makes 1 s segments and a short time to first frame possible.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FFMPEG_BIN = () => process.env.FFMPEG_BIN || '/usr/bin/ffmpeg';
const PAYLOAD = { audio: 111, video: 96 };

/**
 * @param {{ janus: string, room: number | string, folder: string, secret?: string, pin?: string,
 *   feed?: number | string, rtpPort?: number, host?: string, log?: (m: string) => void }} options
 */
export async function startHlsBridge(options) {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const folder = path.resolve(options.folder);
  await fsp.mkdir(folder, { recursive: true });
  await emptyFolder(folder);
  const rtpPort = await freePorts(options.rtpPort ?? Number(process.env.HLS_RTP_PORT || 46000), host);

  const janus = new JanusHttp(options.janus);
  await janus.connect();
  const joined = await janus.message({
    request: 'join',
    ptype: 'publisher',
    room: options.room,
    display: 'hls-bridge',
    ...(options.pin ? { pin: options.pin } : {}),
  });
  if (joined.videoroom !== 'joined') {
    await janus.close();
    throw new Error(`hls-bridge: could not join room ${options.room}: ${JSON.stringify(joined)}`);
  }
  const selfId = joined.id;
  /** Publishers of the room by id, with their streams, as the room announces them. */
  const publishers = new Map();
  let current = null; // { id, ffmpeg, forwarders, startedAt }
  let stopped = false;
  let queue = Promise.resolve();
  const serialize = (task) => (queue = queue.then(task, task).catch((error) => log(`[hls-bridge] ${error.message}`)));

  const applyPublishers = (list) => {
    for (const p of list ?? []) if (p.id !== selfId) publishers.set(p.id, p);
  };
  applyPublishers(joined.publishers);

  const follow = () =>
    serialize(async () => {
      if (stopped) return;
      const wanted = [...publishers.values()].find(
        (p) => options.feed === undefined || String(p.id) === String(options.feed),
      );
      if (current && wanted && current.id === wanted.id && current.ffmpeg.exitCode === null) return;
      if (current) await stopCurrent();
      if (wanted) current = await startForwarding(wanted);
    });

  async function startForwarding(publisher) {
    const streams = (publisher.streams ?? []).filter((s) => !s.disabled);
    const audio = streams.find((s) => s.type === 'audio');
    const video = streams.find((s) => s.type === 'video');
    if (!video && !audio) return null;
    const sdp = sdpFor({ audio, video, host, rtpPort });
    const sdpFile = path.join(folder, '..', `.${path.basename(folder)}.sdp`);
    await fsp.writeFile(sdpFile, sdp);
    // ffmpeg first: it must be listening before the first (key)frame is forwarded.
    const ffmpeg = spawnFfmpeg(sdpFile, folder, { audio: Boolean(audio), video: Boolean(video) }, log);
    await new Promise((resolve) => setTimeout(resolve, 300)); // ffmpeg opening its UDP sockets
    const forward = await janus.message({
      request: 'rtp_forward',
      room: options.room,
      publisher_id: publisher.id,
      host,
      ...(options.secret ? { secret: options.secret } : {}),
      streams: [
        ...(audio ? [{ mid: audio.mid, host, port: rtpPort, pt: PAYLOAD.audio }] : []),
        ...(video ? [{ mid: video.mid, host, port: rtpPort + 2, pt: PAYLOAD.video, simulcast: true }] : []),
      ],
    });
    if (forward.videoroom !== 'rtp_forward') {
      await stopProcess(ffmpeg);
      throw new Error(`rtp_forward refused: ${JSON.stringify(forward)}`);
    }
    const forwarders = (forward.forwarders ?? []).map((f) => f.stream_id);
    log(
      `[hls-bridge] room ${options.room}: publisher ${publisher.id} -> ffmpeg pid ${ffmpeg.pid}, forwarders ${forwarders.join(',')}`,
    );
    ffmpeg.once('exit', () => {
      // ffmpeg gives up on its own when the media stops for long: start again if still wanted.
      if (current?.ffmpeg === ffmpeg && !stopped) setTimeout(follow, 1000);
    });
    return { id: publisher.id, ffmpeg, forwarders, startedAt: Date.now() };
  }

  async function stopCurrent() {
    const was = current;
    current = null;
    if (!was) return;
    for (const streamId of was.forwarders) {
      // After the publisher left, Janus already removed them: a 428 answer is expected then.
      await janus
        .message({
          request: 'stop_rtp_forward',
          room: options.room,
          publisher_id: was.id,
          stream_id: streamId,
          ...(options.secret ? { secret: options.secret } : {}),
        })
        .catch(() => {});
    }
    await stopProcess(was.ffmpeg);
    await emptyFolder(folder);
    log(`[hls-bridge] room ${options.room}: publisher ${was.id} stopped`);
  }

  janus.onEvent = (event) => {
    const data = event.plugindata?.data;
    if (!data) return;
    if (data.publishers) applyPublishers(data.publishers);
    for (const key of ['unpublished', 'leaving', 'kicked']) {
      if (data[key] !== undefined && data[key] !== 'ok') publishers.delete(data[key]);
    }
    if (data.videoroom === 'destroyed') publishers.clear();
    follow();
  };
  janus.poll();
  follow();

  return {
    folder,
    playlist: path.join(folder, 'index.m3u8'),
    rtpPort,
    /** The pid of the running ffmpeg, if any. */
    get ffmpegPid() {
      return current?.ffmpeg.pid;
    },
    status: () => ({ publisher: current?.id, ffmpegPid: current?.ffmpeg.pid, publishers: [...publishers.keys()] }),
    async stop() {
      if (stopped) return;
      stopped = true;
      await serialize(stopCurrent);
      await janus.message({ request: 'leave' }).catch(() => {});
      await janus.close();
    },
  };
}

function sdpFor({ audio, video, host, rtpPort }) {
  const lines = ['v=0', `o=- 0 0 IN IP4 ${host}`, 's=janus-widgets hls-bridge', `c=IN IP4 ${host}`, 't=0 0'];
  if (audio) {
    lines.push(`m=audio ${rtpPort} RTP/AVP ${PAYLOAD.audio}`, `a=rtpmap:${PAYLOAD.audio} opus/48000/2`);
  }
  if (video) {
    const codec = (video.codec ?? 'vp8').toLowerCase();
    const name = { vp8: 'VP8', vp9: 'VP9', h264: 'H264', av1: 'AV1' }[codec] ?? 'VP8';
    lines.push(`m=video ${rtpPort + 2} RTP/AVP ${PAYLOAD.video}`, `a=rtpmap:${PAYLOAD.video} ${name}/90000`);
    if (name === 'H264') lines.push(`a=fmtp:${PAYLOAD.video} packetization-mode=1`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

function spawnFfmpeg(sdpFile, folder, { audio, video }, log) {
  const args = [
    '-hide_banner',
    '-loglevel',
    'warning',
    '-nostdin',
    '-protocol_whitelist',
    'file,udp,rtp',
    '-fflags',
    '+genpts',
    // Long enough for the first keyframe after the forward starts; the input never ends by itself.
    '-analyzeduration',
    '10000000',
    '-probesize',
    '10000000',
    '-i',
    sdpFile,
    ...(video
      ? [
          '-map',
          '0:v:0',
          '-c:v',
          'libx264',
          '-preset',
          'veryfast',
          '-tune',
          'zerolatency',
          '-pix_fmt',
          'yuv420p',
          '-r',
          '30',
          '-g',
          '30',
          '-keyint_min',
          '30',
          '-sc_threshold',
          '0',
          '-force_key_frames',
          'expr:gte(t,n_forced*1)',
          '-b:v',
          '1500k',
          '-maxrate',
          '1800k',
          '-bufsize',
          '1500k',
        ]
      : []),
    ...(audio ? ['-map', '0:a:0', '-c:a', 'aac', '-b:a', '96k', '-ar', '48000', '-ac', '2'] : []),
    '-f',
    'hls',
    '-hls_time',
    '1',
    '-hls_list_size',
    '6',
    '-hls_flags',
    'program_date_time+delete_segments+independent_segments+temp_file',
    '-hls_segment_filename',
    path.join(folder, 'segment-%06d.ts'),
    path.join(folder, 'index.m3u8'),
  ];
  // setpriv --pdeathsig: ffmpeg dies with this process even when it is SIGKILLed.
  const [cmd, argv] = fs.existsSync('/usr/bin/setpriv')
    ? ['/usr/bin/setpriv', ['--pdeathsig', 'SIGTERM', '--', FFMPEG_BIN(), ...args]]
    : [FFMPEG_BIN(), args];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => {
    for (const line of text.split('\n')) if (line.trim()) log(`[ffmpeg ${child.pid}] ${line.trim()}`);
  });
  child.on('error', (error) => log(`[hls-bridge] ffmpeg: ${error.message}`));
  return child;
}

// ffmpeg blocked on a silent UDP input only sees SIGTERM once a packet arrives: do not wait long.
function stopProcess(child, graceMs = 1000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function emptyFolder(folder) {
  for (const name of await fsp.readdir(folder).catch(() => [])) {
    if (name === 'index.m3u8' || /\.(ts|m4s|tmp)$/.test(name) || name.endsWith('.m3u8.tmp')) {
      await fsp.rm(path.join(folder, name), { force: true });
    }
  }
}

/** The first even port at or after `start` whose block of four (RTP and RTCP, twice) is free. */
async function freePorts(start, host) {
  for (let port = start + (start % 2); port < start + 400; port += 4) {
    const free = await Promise.all([0, 1, 2, 3].map((i) => udpFree(port + i, host)));
    if (free.every(Boolean)) return port;
  }
  throw new Error(`hls-bridge: no four free UDP ports from ${start}`);
}

function udpFree(port, host) {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind({ port, address: host, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/** A Janus session and one VideoRoom handle over the HTTP API, with a long poll for its events. */
class JanusHttp {
  constructor(url) {
    this.url = url.replace(/\/$/, '');
    this.onEvent = () => {};
    this.pending = new Map();
    this.closed = false;
  }

  async post(url, body) {
    const transaction = Math.random().toString(36).slice(2);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ transaction, ...body }),
      signal: AbortSignal.timeout(10000),
    });
    return { transaction, reply: await response.json() };
  }

  async connect() {
    const { reply: session } = await this.post(this.url, { janus: 'create' });
    if (session.janus !== 'success') throw new Error(`hls-bridge: Janus create failed: ${JSON.stringify(session)}`);
    this.sessionUrl = `${this.url}/${session.data.id}`;
    const { reply: handle } = await this.post(this.sessionUrl, { janus: 'attach', plugin: 'janus.plugin.videoroom' });
    if (handle.janus !== 'success') throw new Error(`hls-bridge: attach failed: ${JSON.stringify(handle)}`);
    this.handleUrl = `${this.sessionUrl}/${handle.data.id}`;
  }

  /** A VideoRoom request: the synchronous answer, or the event that answers an asynchronous one (join). */
  async message(body) {
    const { transaction, reply } = await this.post(this.handleUrl, { janus: 'message', body });
    if (reply.janus === 'success') return reply.plugindata?.data ?? reply;
    if (reply.janus !== 'ack') return reply;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(transaction);
        reject(new Error(`hls-bridge: no answer to ${body.request}`));
      }, 10000);
      this.pending.set(transaction, (event) => {
        clearTimeout(timer);
        resolve(event.plugindata?.data ?? event);
      });
      if (!this.polling) this.poll();
    });
  }

  async poll() {
    if (this.polling) return;
    this.polling = true;
    while (!this.closed) {
      try {
        this.abort = new AbortController();
        const response = await fetch(`${this.sessionUrl}?maxev=10&rid=${Date.now()}`, { signal: this.abort.signal });
        const events = [await response.json()].flat();
        for (const event of events) {
          const answer = event.transaction && this.pending.get(event.transaction);
          if (answer) {
            this.pending.delete(event.transaction);
            answer(event);
          } else if (event.janus === 'event') this.onEvent(event);
        }
      } catch {
        if (!this.closed) await new Promise((resolve) => setTimeout(resolve, 500)); // Janus restarting
      }
    }
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    this.abort?.abort();
    await this.post(this.sessionUrl, { janus: 'destroy' }).catch(() => {});
  }
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  if (!args.janus || !args.room || !args.folder) {
    console.error('usage: hls-bridge.mjs --janus URL --room ID --folder DIR [--secret S] [--pin P] [--feed ID]');
    process.exit(2);
  }
  const bridge = await startHlsBridge({
    janus: args.janus,
    room: /^\d+$/.test(args.room) ? Number(args.room) : args.room,
    folder: args.folder,
    secret: args.secret,
    pin: args.pin,
    feed: args.feed,
    log: (m) => console.error(m),
  });
  console.error(`[hls-bridge] writing ${bridge.playlist}`);
  const stop = () => bridge.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
