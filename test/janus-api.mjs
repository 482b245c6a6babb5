// Janus HTTP and admin API calls for tests, in Node (used by e2e tests and the web-test-runner plugin).

/** The stack started by test/run.mjs, passed down in E2E_STACK. */
export function stack() {
  const raw = process.env.E2E_STACK;
  if (!raw) throw new Error('E2E_STACK is not set: run the tests through `npm test` (test/run.mjs)');
  return JSON.parse(raw);
}

async function janusPost(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ transaction: Math.random().toString(36).slice(2), ...body }),
  });
  return response.json();
}

/** Sends one synchronous VideoRoom request over Janus's HTTP API, in a short-lived session. */
export async function videoroomRequest(body) {
  const { http } = stack().janus;
  const session = await janusPost(http, { janus: 'create' });
  const sessionUrl = `${http}/${session.data.id}`;
  try {
    const handle = await janusPost(sessionUrl, { janus: 'attach', plugin: 'janus.plugin.videoroom' });
    const reply = await janusPost(`${sessionUrl}/${handle.data.id}`, { janus: 'message', body });
    return reply.plugindata?.data ?? reply;
  } finally {
    await janusPost(sessionUrl, { janus: 'destroy' });
  }
}

let nextRoom = 100000 + Math.floor(Math.random() * 800000);

/** Creates a fresh room for one test, so tests never see each other's publishers. */
export async function createRoom(options = {}) {
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
  if (reply.videoroom !== 'created') throw new Error(`Could not create room: ${JSON.stringify(reply)}`);
  return room;
}

/** Every live handle of a session, from the admin API (empty when the session is gone). */
export async function adminHandles(sessionId) {
  const { admin, adminSecret } = stack().janus;
  const reply = await janusPost(`${admin}/${sessionId}`, { janus: 'list_handles', admin_secret: adminSecret });
  return reply.janus === 'success' ? (reply.handles ?? []) : [];
}

/** Every live Janus session id, from the admin API. */
export async function adminSessions() {
  const { admin, adminSecret } = stack().janus;
  const reply = await janusPost(admin, { janus: 'list_sessions', admin_secret: adminSecret });
  return reply.sessions ?? [];
}

/** The participants of a room (id, display, publisher). */
export async function listParticipants(room) {
  const reply = await videoroomRequest({ request: 'listparticipants', room });
  return reply.participants ?? [];
}

/** Makes Janus hang up a handle's PeerConnection, as its own ICE/DTLS failure would (admin `hangup_webrtc`). */
export async function adminHangup(sessionId, handleId) {
  const { admin, adminSecret } = stack().janus;
  const reply = await janusPost(`${admin}/${sessionId}/${handleId}`, {
    janus: 'hangup_webrtc',
    admin_secret: adminSecret,
  });
  if (reply.janus !== 'success') throw new Error(`hangup_webrtc failed: ${JSON.stringify(reply)}`);
}
