import { expect } from '@open-wc/testing';
import { JanusWidgetError } from '../../src/core/errors.js';
import {
  describeUrl,
  numberIn,
  parseConnection,
  parseFeed,
  parseIceServers,
  parsePublisher,
  parseResolution,
  parseRoom,
  parseServers,
  parseStats,
  parseTurnCredentialsUrl,
  parseViewer,
  redact,
  safeVolume,
} from '../../src/core/validation.js';

/** Runs `fn`, expects an invalid-config error, returns its message. */
function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(JanusWidgetError);
    expect((error as JanusWidgetError).code).to.equal('invalid-config');
    return (error as JanusWidgetError).message;
  }
  throw new Error('expected an invalid-config error');
}

const PUBLISHER = {
  video: 'camera',
  audio: 'microphone',
  resolution: '1280x720',
  frameRate: 30,
  maxBitrate: 0,
  videoCodec: 'vp8',
  facingMode: '',
};
const VIEWER = { quality: 'auto', maxFeeds: 0, volume: 1, feed: '', display: '' };

describe('validation', () => {
  describe('describeUrl', () => {
    it('keeps origin and path only: no user info, query or fragment', () => {
      expect(describeUrl('https://user:pw@turn.example.com:8443/api/turn?key=SECRET#frag')).to.equal(
        'https://turn.example.com:8443/api/turn',
      );
      expect(describeUrl('wss://janus.example.com/ws?token=T')).to.equal('wss://janus.example.com/ws');
      expect(describeUrl('javascript:alert(document.cookie)')).to.equal('javascript:');
      expect(describeUrl('http://[::1')).to.equal('an invalid URL');
    });
  });

  describe('server', () => {
    it('accepts ws, wss, http and https URLs, several separated by spaces', () => {
      expect(parseServers(' wss://a.example/ws  https://b.example/janus ')).to.deep.equal([
        'wss://a.example/ws',
        'https://b.example/janus',
      ]);
    });

    it('refuses other schemes, fragments and user:password, naming server, quoting no query', () => {
      for (const bad of [
        'ftp://x',
        'javascript:alert(1)',
        'ws://host/#x',
        'ws://host/#',
        'wss://u:p@host/ws',
        '',
        '   ',
      ]) {
        expect(
          refused(() => parseServers(bad)),
          bad,
        ).to.contain('server');
      }
      const message = refused(() => parseServers('wss://janus.example.com/ws?token=SECRET#FRAGMARK'));
      expect(message).to.not.contain('SECRET');
      expect(message).to.not.contain('FRAGMARK');
      expect(refused(() => parseServers('wss://admin:hunter2@janus.example.com/ws'))).to.not.contain('hunter2');
    });
  });

  describe('room and feed', () => {
    it('take positive safe integers and string ids', () => {
      expect(parseRoom('1234')).to.equal(1234);
      expect(parseRoom(1234)).to.equal(1234);
      expect(parseRoom('lobby-1')).to.equal('lobby-1');
      expect(parseFeed('')).to.equal(undefined);
      expect(parseFeed('42')).to.equal(42);
      expect(parseFeed('alice_1')).to.equal('alice_1');
    });

    it('refuse zero, negatives, fractions, unsafe integers and junk, naming the attribute', () => {
      for (const bad of ['0', '-1', '1.5', '1e3', '9007199254740993', 'no spaces', '<img>', 'x'.repeat(200)]) {
        expect(
          refused(() => parseRoom(bad)),
          bad,
        ).to.contain('room');
        expect(
          refused(() => parseFeed(bad)),
          bad,
        ).to.contain('feed');
      }
      expect(refused(() => parseRoom(''))).to.contain('room');
    });
  });

  describe('ice servers', () => {
    const good = [
      { urls: ['turn:t.example:3478?transport=tcp'], username: 'u', credential: 'c' },
      { urls: 'stun:s.example' },
    ];

    it('validates the attribute (JSON) and the property (array) by the same rules, and copies', () => {
      expect(parseIceServers(JSON.stringify(good))).to.deep.equal(good);
      const copy = parseIceServers(good, 'iceServers property');
      expect(copy).to.deep.equal(good);
      expect(copy[0]).to.not.equal(good[0]);
    });

    it('refuses non-arrays, non-objects, bad urls and non-string credentials, never quoting a credential', () => {
      const bad: unknown[] = [
        '{',
        '{}',
        'null',
        [null],
        [[]],
        ['stun:x'],
        [{}],
        [{ urls: [] }],
        [{ urls: 'http://x' }],
        [{ urls: ['turn:x', 5] }],
        [{ urls: 'turn:x', username: 7, credential: 'MARKER-CRED' }],
        [{ urls: 'turn:x', username: 'MARKER-USER', credential: { secret: 1 } }],
      ];
      for (const value of bad) {
        for (const [input, name] of [
          [typeof value === 'string' ? value : JSON.stringify(value), 'ice-servers'],
          [value, 'iceServers'],
        ] as const) {
          if (name === 'iceServers' && typeof value === 'string') continue;
          const message = refused(() =>
            parseIceServers(input, name === 'iceServers' ? 'iceServers property' : undefined),
          );
          expect(message, JSON.stringify(value)).to.contain(name);
          expect(message).to.not.contain('MARKER');
        }
      }
    });
  });

  describe('turn-credentials', () => {
    it('takes http(s) URLs, relative ones resolved against the page', () => {
      expect(parseTurnCredentialsUrl('/api/turn?key=1')).to.equal(new URL('/api/turn?key=1', location.href).href);
      expect(parseTurnCredentialsUrl('https://x.example/turn')).to.equal('https://x.example/turn');
      expect(parseTurnCredentialsUrl('')).to.equal(undefined);
    });

    it('refuses javascript:, data:, fragments and credentials in the URL, quoting no query', () => {
      for (const bad of [
        'javascript:alert(1)',
        'data:application/json,{}',
        'ws://x/turn',
        '/turn#frag',
        'https://u:p@x/turn',
      ]) {
        expect(
          refused(() => parseTurnCredentialsUrl(bad)),
          bad,
        ).to.contain('turn-credentials');
      }
      expect(refused(() => parseTurnCredentialsUrl('https://x.example/turn?key=SECRET#f'))).to.not.contain('SECRET');
    });
  });

  describe('connection', () => {
    it('needs a TURN server for relay and never quotes pin or token', () => {
      const base = { server: 'ws://127.0.0.1:9/', room: '1' };
      expect(refused(() => parseConnection({ ...base, iceTransportPolicy: 'relay' }))).to.contain(
        'ice-transport-policy',
      );
      expect(refused(() => parseConnection({ ...base, iceTransportPolicy: 'sometimes' }))).to.contain(
        'ice-transport-policy',
      );
      expect(refused(() => parseConnection({ ...base, pin: 'MARKER'.repeat(100) }))).to.not.contain('MARKER');
      expect(refused(() => parseConnection({ ...base, token: 'MARKER\u0000' }))).to.not.contain('MARKER');
      const config = parseConnection({ ...base, pin: '1234', token: 't', iceServers: [{ urls: 'stun:s' }] });
      expect(config).to.deep.include({ servers: ['ws://127.0.0.1:9/'], room: 1, pin: '1234', token: 't' });
      expect(config.iceServers).to.deep.equal([{ urls: 'stun:s' }]);
    });
  });

  describe('publisher', () => {
    it('bounds the resolution to 16..4096 a side and 8.3 Mpx', () => {
      expect(parseResolution('1280x720')).to.deep.equal({ width: 1280, height: 720 });
      expect(parseResolution(' 3840 X 2160 ')).to.deep.equal({ width: 3840, height: 2160 });
      for (const bad of ['99999x99999', '4096x4096', '8x8', '1280', '1280x', 'x720', '-1x-1', '1e3x1e3', '']) {
        expect(
          refused(() => parseResolution(bad)),
          bad,
        ).to.contain('resolution');
      }
    });

    it('checks every attribute, naming it', () => {
      expect(parsePublisher(PUBLISHER).capture).to.include({ width: 1280, height: 720, frameRate: 30 });
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ video: 'webcam' }, 'video'],
        [{ audio: '' }, 'audio'],
        [{ video: 'none', audio: 'none' }, 'audio'],
        [{ videoCodec: 'h265' }, 'video-codec'],
        [{ frameRate: NaN }, 'frame-rate'],
        [{ frameRate: 0 }, 'frame-rate'],
        [{ frameRate: 1000 }, 'frame-rate'],
        [{ maxBitrate: -1 }, 'max-bitrate'],
        [{ maxBitrate: 1.5 }, 'max-bitrate'],
        [{ maxBitrate: Infinity }, 'max-bitrate'],
        [{ facingMode: 'sideways' }, 'facing-mode'],
        [{ display: 'x'.repeat(257) }, 'display'],
        [{ videoDevice: 'x'.repeat(513) }, 'video-device'],
        [{ videoConstraints: 'hd' }, 'videoConstraints'],
        [{ degradation: 'sometimes' }, 'degradation'],
        [{ degradation: 'OFF' }, 'degradation'],
      ];
      for (const [change, name] of cases) {
        expect(
          refused(() => parsePublisher({ ...PUBLISHER, ...change })),
          name,
        ).to.contain(name);
      }
      for (const degradation of ['audio-first', 'off', null]) {
        expect(() => parsePublisher({ ...PUBLISHER, degradation }), String(degradation)).not.to.throw();
      }
    });
  });

  describe('viewer', () => {
    it('checks quality, feed, max-feeds, display and volume, naming them', () => {
      expect(parseViewer(VIEWER)).to.deep.equal({
        feed: undefined,
        display: undefined,
        maxFeeds: undefined,
        quality: undefined,
      });
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ quality: 'ultra' }, 'quality'],
        [{ feed: '-3' }, 'feed'],
        [{ maxFeeds: -1 }, 'max-feeds'],
        [{ maxFeeds: 2.5 }, 'max-feeds'],
        [{ maxFeeds: NaN }, 'max-feeds'],
        [{ maxFeeds: 1e9 }, 'max-feeds'],
        [{ volume: NaN }, 'volume'],
        [{ volume: 1.5 }, 'volume'],
        [{ volume: -0.1 }, 'volume'],
        [{ display: 'x'.repeat(300) }, 'display'],
        [{ degradation: 'sometimes' }, 'degradation'],
        [{ degradation: 'OFF' }, 'degradation'],
        [{ degradation: 0 }, 'degradation'],
      ];
      for (const [change, name] of cases) {
        expect(
          refused(() => parseViewer({ ...VIEWER, ...change })),
          name,
        ).to.contain(name);
      }
    });

    it('accepts degradation audio-first and off', () => {
      for (const degradation of ['audio-first', 'off']) {
        expect(() => parseViewer({ ...VIEWER, degradation })).not.to.throw();
      }
    });

    it('a removed attribute (null) means its default again', () => {
      const removed = { quality: null, maxFeeds: null, volume: null, feed: null, display: null, degradation: null };
      expect(parseViewer(removed)).to.deep.equal(parseViewer(VIEWER));
      const capture = parsePublisher({
        video: null,
        audio: null,
        resolution: null,
        frameRate: null,
        maxBitrate: null,
      }).capture;
      expect(capture).to.include({ video: 'camera', audio: 'microphone', width: 1280, height: 720, frameRate: 30 });
      expect(parseStats({ for: null, interval: null })).to.deep.equal({ for: '', interval: 1000 });
    });

    it('gives a media element a volume it accepts, whatever was written', () => {
      for (const [value, volume] of [
        [null, 1],
        [NaN, 1],
        ['abc', 1],
        [Infinity, 1],
        [2, 1],
        [-1, 0],
        [0.5, 0.5],
      ] as const) {
        expect(safeVolume(value), String(value)).to.equal(volume);
      }
    });
  });

  describe('stats', () => {
    it('bounds interval to 100..60000 ms and caps for', () => {
      expect(parseStats({ for: ' pub ', interval: 200 })).to.deep.equal({ for: 'pub', interval: 200 });
      for (const interval of [0, 99, 60_001, NaN, -5, Infinity]) {
        expect(
          refused(() => parseStats({ interval })),
          String(interval),
        ).to.contain('interval');
      }
      expect(refused(() => parseStats({ for: 'x'.repeat(300), interval: 1000 }))).to.contain('for');
    });
  });

  describe('helpers', () => {
    it('numberIn parses attribute text, refusing blanks', () => {
      expect(numberIn('n', '5', 0, 10)).to.equal(5);
      expect(refused(() => numberIn('n', ' ', 0, 10))).to.contain('n');
    });

    it('redact blanks out secrets of three characters or more', () => {
      expect(redact('bad token abc123 and pin 42', ['abc123', '42', undefined])).to.equal(
        'bad token [redacted] and pin 42',
      );
    });
  });
});
