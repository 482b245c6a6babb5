// A scripted fake Janus for tests: a minimal WebSocket server (RFC 6455, subprotocol
// `janus-protocol`, node built-ins only) speaking enough of the Janus API (create, attach,
// keepalive, message -> ack + event, detach, destroy) for a real <janus-viewer> or
// <janus-publisher> to connect, and doing on demand what a real Janus will not:
//   never-answer-<what>  never answer a request: a plugin request by name (join,
//                        joinandconfigure, configure, leave, ...) or a core one (create,
//                        attach, keepalive, detach, destroy)
//   malformed            after a participant joins: null plugin data, non-array publishers,
//                        non-string display names, garbage frames, broken core messages
//   flood                after a participant joins: 10,000 `publishers` events within a second
//   listed               `listparticipants` names one publisher (id 77, who is gone by the time
//                        anyone subscribes: the subscriber join answers "No such feed")
//   slow-lobby           a publisher's (the lobby's) join is answered 300 ms late
//   slow-listing         `listparticipants` is answered 300 ms late (Janus serves it on another
//                        thread than the joins, so a later join's answer can come first)
//   wrong-pin            every join is refused as a real Janus refuses a wrong PIN (433)
// Scripts combine with commas: `never-answer-destroy,flood`.
import { createHash, randomInt } from 'node:crypto';
import { createServer } from 'node:http';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const PLUGIN = 'janus.plugin.videoroom';

/** Encodes one unmasked server frame. */
function frame(opcode, payload) {
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, length])
      : length < 65536
        ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(length)]);
  return Buffer.concat([header, payload]);
}

function bigLength(length) {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(BigInt(length));
  return buffer;
}

/** Wraps an upgraded socket: calls `onText` per text message; returns send/close. */
function websocket(socket, onText, onClose) {
  let buffered = Buffer.alloc(0);
  let fragments = [];
  let closed = false;
  const write = (data) => {
    if (!closed && socket.writable) socket.write(data);
  };
  const close = (code = 1000) => {
    if (closed) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    write(frame(0x8, payload));
    closed = true;
    socket.end();
  };
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (buffered.length < 2) return;
      const fin = (buffered[0] & 0x80) !== 0;
      const opcode = buffered[0] & 0x0f;
      const masked = (buffered[1] & 0x80) !== 0;
      let length = buffered[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return;
        length = Number(buffered.readBigUInt64BE(2));
        offset = 10;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      if (buffered.length < offset + length) return;
      const payload = Buffer.from(buffered.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= buffered[maskAt + (i % 4)];
      buffered = buffered.subarray(offset + length);
      if (opcode === 0x8) {
        close();
      } else if (opcode === 0x9) {
        write(frame(0xa, payload));
      } else if (opcode === 0x1 || opcode === 0x0) {
        fragments.push(payload);
        if (fin) {
          const text = Buffer.concat(fragments).toString('utf8');
          fragments = [];
          onText(text);
        }
      }
    }
  });
  socket.on('close', () => {
    closed = true;
    onClose();
  });
  socket.on('error', () => {});
  return { sendText: (text) => write(frame(0x1, Buffer.from(text, 'utf8'))), close };
}

/**
 * Starts a fake Janus on an ephemeral port of 127.0.0.1. `log` records what the clients did, so
 * tests can check that every session created was destroyed.
 */
export async function startFakeJanus({ script = '' } = {}) {
  const scripts = new Set(String(script).split(',').filter(Boolean));
  const silent = new Set([...scripts].filter((s) => s.startsWith('never-answer-')).map((s) => s.slice(13)));
  const log = {
    sockets: { opened: 0, open: 0 },
    created: [],
    destroyed: [],
    /** Sessions never destroyed whose socket closed: Janus drops those with the transport. */
    reclaimed: [],
    attached: [],
    detached: [],
    requests: [],
    keepalives: 0,
    malformedSent: 0,
    floodSent: 0,
  };
  const sockets = new Set();

  const server = createServer((request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only');
  });
  server.on('upgrade', (request, socket) => {
    const key = request.headers['sec-websocket-key'];
    if (!key) return socket.destroy();
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    const protocols = String(request.headers['sec-websocket-protocol'] ?? '').split(/\s*,\s*/);
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n` +
        (protocols.includes('janus-protocol') ? 'Sec-WebSocket-Protocol: janus-protocol\r\n' : '') +
        '\r\n',
    );
    sockets.add(socket);
    log.sockets.opened++;
    log.sockets.open++;
    const timers = new Set();
    const sessions = new Set();
    const later = (ms, work) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        work();
      }, ms);
      timers.add(timer);
    };
    const ws = websocket(
      socket,
      (text) => onMessage(text),
      () => {
        sockets.delete(socket);
        log.sockets.open--;
        log.reclaimed.push(...sessions);
        for (const timer of timers) clearTimeout(timer);
      },
    );
    const send = (message) => ws.sendText(JSON.stringify(message));
    const pluginEvent = (sessionId, handleId, data, transaction) =>
      send({
        janus: 'event',
        session_id: sessionId,
        sender: handleId,
        transaction,
        plugindata: { plugin: PLUGIN, data },
      });

    function onMessage(text) {
      let message;
      try {
        message = JSON.parse(text);
      } catch {
        return;
      }
      const { janus, transaction, session_id: sessionId, handle_id: handleId } = message;
      const name = janus === 'message' ? String(message.body?.request) : janus;
      if (janus === 'message') log.requests.push({ sessionId, handleId, body: message.body, at: Date.now() });
      if (janus === 'keepalive') log.keepalives++;
      if (silent.has(name)) return;
      switch (janus) {
        case 'create': {
          const id = randomInt(1, 2 ** 47);
          log.created.push(id);
          sessions.add(id);
          return send({ janus: 'success', transaction, data: { id } });
        }
        case 'attach': {
          const id = randomInt(1, 2 ** 47);
          log.attached.push({ sessionId, id, plugin: message.plugin });
          return send({ janus: 'success', session_id: sessionId, transaction, data: { id } });
        }
        case 'keepalive':
          return send({ janus: 'ack', session_id: sessionId, transaction });
        case 'info':
          return send({ janus: 'server_info', transaction, name: 'fake-janus', version: 1102 });
        case 'detach':
          log.detached.push({ sessionId, handleId });
          return send({ janus: 'success', session_id: sessionId, transaction });
        case 'destroy':
          log.destroyed.push(sessionId);
          sessions.delete(sessionId);
          return send({ janus: 'success', session_id: sessionId, transaction });
        case 'trickle':
          return send({ janus: 'ack', session_id: sessionId, transaction });
        case 'message':
          // Janus answers a listing at once, with no ack before it.
          if (name === 'listparticipants') {
            const list = () => listParticipants(sessionId, handleId, message.body, transaction);
            return scripts.has('slow-listing') ? later(300, list) : list();
          }
          send({ janus: 'ack', session_id: sessionId, transaction });
          return answer(sessionId, handleId, message.body ?? {}, transaction);
        default:
          return send({ janus: 'error', transaction, error: { code: 453, reason: `Unknown request '${janus}'` } });
      }
    }

    function answer(sessionId, handleId, body, transaction) {
      const reply = (data) => pluginEvent(sessionId, handleId, { room: body.room, ...data }, transaction);
      switch (body.request) {
        case 'join':
          if (scripts.has('wrong-pin')) {
            return reply({ videoroom: 'event', error_code: 433, error: 'Unauthorized (wrong pin)' });
          }
          if (body.ptype === 'subscriber') {
            // No feeds exist here: what Janus answers for a feed that just left.
            return reply({ videoroom: 'event', error_code: 428, error: 'No such feed' });
          }
          const joined = {
            videoroom: 'joined',
            id: randomInt(1, 2 ** 47),
            private_id: randomInt(1, 2 ** 31),
            publishers: [],
          };
          if (scripts.has('slow-lobby')) later(300, () => reply(joined));
          else reply(joined);
          if (scripts.has('malformed')) later(20, () => malformed(sessionId, handleId));
          if (scripts.has('flood')) later(20, () => flood(sessionId, handleId));
          return;
        case 'leave':
          return reply({ videoroom: 'event', leaving: 'ok' });
        case 'configure':
          return reply({ videoroom: 'event', configured: 'ok' });
        default:
          return reply({ videoroom: 'event', error_code: 499, error: `fake-janus does not do '${body.request}'` });
      }
    }

    function listParticipants(sessionId, handleId, body, transaction) {
      const participants = scripts.has('listed') ? [{ id: 77, display: 'Listed', publisher: true }] : [];
      send({
        janus: 'success',
        session_id: sessionId,
        sender: handleId,
        transaction,
        plugindata: { plugin: PLUGIN, data: { videoroom: 'participants', room: body.room, participants } },
      });
    }

    function malformed(sessionId, handleId) {
      const base = { janus: 'event', session_id: sessionId, sender: handleId };
      const frames = [
        '{ not json',
        'null',
        '42',
        '"a string"',
        '[]',
        '',
        JSON.stringify({ janus: 'error' }),
        JSON.stringify({ janus: 'error', transaction: 'nobody-asked', error: null }),
        JSON.stringify({ ...base, plugindata: null }),
        JSON.stringify({ ...base, plugindata: { plugin: PLUGIN, data: null } }),
        JSON.stringify({ ...base, plugindata: { plugin: PLUGIN, data: 'joined' } }),
        JSON.stringify({ ...base, plugindata: { plugin: PLUGIN, data: [1, 2] } }),
        JSON.stringify({ ...base, plugindata: { plugin: PLUGIN, data: { videoroom: 'event', publishers: 'x' } } }),
        JSON.stringify({
          ...base,
          plugindata: { plugin: PLUGIN, data: { videoroom: 'event', publishers: { id: 1 } } },
        }),
        JSON.stringify({
          ...base,
          plugindata: {
            plugin: PLUGIN,
            data: {
              videoroom: 'event',
              publishers: [null, 'x', { id: null }, { id: { evil: true } }, { display: 'no id' }],
            },
          },
        }),
        JSON.stringify({
          ...base,
          plugindata: { plugin: PLUGIN, data: { videoroom: 'event', unpublished: { id: 1 } } },
        }),
        JSON.stringify({ ...base, plugindata: { plugin: PLUGIN, data: { videoroom: 'event', leaving: null } } }),
        JSON.stringify({
          ...base,
          plugindata: { plugin: PLUGIN, data: { videoroom: 'event', error_code: 'x', error: 5 } },
        }),
        JSON.stringify({ ...base, plugindata: { plugin: PLUGIN, data: { videoroom: 'updated', streams: 'x' } } }),
        JSON.stringify({ ...base, sender: 12345, plugindata: { plugin: PLUGIN, data: { videoroom: 'event' } } }),
        JSON.stringify({ janus: 'webrtcup' }),
        JSON.stringify({ janus: 'media', session_id: sessionId, sender: handleId, type: 5, receiving: 'yes' }),
        JSON.stringify({ janus: 'slowlink', session_id: sessionId, sender: handleId, uplink: null, lost: 'many' }),
        JSON.stringify({ janus: 'trickle', session_id: sessionId, sender: handleId, candidate: { nonsense: true } }),
        JSON.stringify({ janus: 'something-new', session_id: sessionId }),
        // Last: a display name that is not a string, on a publisher that does exist.
        JSON.stringify({
          ...base,
          plugindata: {
            plugin: PLUGIN,
            data: { videoroom: 'event', publishers: [{ id: 4242, display: { toString: 'evil' } }] },
          },
        }),
      ];
      for (const text of frames) ws.sendText(text);
      log.malformedSent += frames.length;
    }

    function flood(sessionId, handleId) {
      const total = 10_000;
      const batches = 50;
      let sent = 0;
      // 50 batches 20 ms apart: 10,000 events within a second, as a busy room on a slow client might.
      for (let batch = 0; batch < batches; batch++) {
        later(batch * 20, () => {
          for (let i = 0; i < total / batches; i++, sent++) {
            const id = 1000 + (sent % 20);
            const data =
              sent % 2 === 0
                ? { videoroom: 'event', publishers: [{ id, display: `flood ${sent}` }] }
                : { videoroom: 'event', unpublished: id };
            pluginEvent(sessionId, handleId, data);
          }
          log.floodSent = sent;
        });
      }
    }
  });

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `ws://127.0.0.1:${port}/`,
    log,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
