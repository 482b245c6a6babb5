import { JanusWidgetError } from './errors.js';
import { parseIceServers } from './ice.js';

/** The connection attributes shared by `<janus-publisher>` and `<janus-viewer>`, as written. */
export interface ConnectionAttributes {
  server?: string | null | undefined;
  room?: string | number | null | undefined;
  pin?: string | null | undefined;
  token?: string | null | undefined;
  iceServersJson?: string | null | undefined;
  iceServers?: RTCIceServer[] | null | undefined;
  iceTransportPolicy?: string | null | undefined;
  turnCredentials?: string | null | undefined;
}

/** The validated form. */
export interface ConnectionConfig {
  servers: string[];
  room: number | string;
  pin?: string | undefined;
  token?: string | undefined;
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  turnCredentials?: string | undefined;
}

function invalid(message: string): JanusWidgetError {
  return new JanusWidgetError('invalid-config', message);
}

/** Parses `server`: one or more ws/wss/http/https URLs separated by spaces, tried in order. */
export function parseServers(server: string | null | undefined): string[] {
  const servers = (server ?? '').trim().split(/\s+/).filter(Boolean);
  if (servers.length === 0) throw invalid('The server attribute is missing: give the Janus URL, e.g. wss://janus.example.com/ws.');
  for (const url of servers) {
    let parsed: URL;
    try {
      parsed = new URL(url, location.href);
    } catch {
      throw invalid(`The server attribute has an invalid URL: "${url}".`);
    }
    if (!['ws:', 'wss:', 'http:', 'https:'].includes(parsed.protocol)) {
      throw invalid(`The server attribute needs ws, wss, http or https URLs, not "${url}".`);
    }
  }
  return servers;
}

/** Parses `room`: a positive integer, or a string id for rooms created with `string_ids`. */
export function parseRoom(room: string | number | null | undefined): number | string {
  const text = String(room ?? '').trim();
  if (!text) throw invalid('The room attribute is missing: give the VideoRoom room id, e.g. room="1234".');
  if (/^\d+$/.test(text)) {
    const id = Number(text);
    if (!Number.isSafeInteger(id) || id <= 0) throw invalid(`The room attribute "${text}" is not a valid room id.`);
    return id;
  }
  if (/^[\w.-]{1,128}$/.test(text)) return text;
  throw invalid(`The room attribute "${text}" is not a valid room id.`);
}

export function parseConnection(attributes: ConnectionAttributes): ConnectionConfig {
  const policy = attributes.iceTransportPolicy?.trim() || 'all';
  if (policy !== 'all' && policy !== 'relay') {
    throw invalid(`The ice-transport-policy attribute must be "all" or "relay", not "${policy}".`);
  }
  const iceServers = attributes.iceServers ?? (attributes.iceServersJson ? parseIceServers(attributes.iceServersJson) : []);
  const turnCredentials = attributes.turnCredentials?.trim() || undefined;
  if (turnCredentials) {
    try {
      new URL(turnCredentials, location.href);
    } catch {
      throw invalid(`The turn-credentials attribute is not a URL: "${turnCredentials}".`);
    }
  }
  if (policy === 'relay' && iceServers.length === 0 && !turnCredentials) {
    throw invalid('ice-transport-policy="relay" needs a TURN server in ice-servers or turn-credentials.');
  }
  return {
    servers: parseServers(attributes.server),
    room: parseRoom(attributes.room),
    pin: attributes.pin || undefined,
    token: attributes.token || undefined,
    iceServers: [...iceServers],
    iceTransportPolicy: policy,
    turnCredentials,
  };
}
