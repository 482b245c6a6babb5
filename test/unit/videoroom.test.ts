import { expect } from '@open-wc/testing';
import { withOpusFec } from '../../src/core/publisher.js';
import {
  AUDIO_ONLY_DESCRIPTION,
  MAX_DISPLAY_LENGTH,
  MAX_LIST_ENTRIES,
  configureBody,
  joinAndConfigureBody,
  joinPublisherBody,
  joinSubscriberBody,
  listParticipantsBody,
  leaveBody,
  parseRoomEvent,
  startBody,
  subscribeBody,
  toParticipatingPublishers,
  toPublishers,
  toStreams,
} from '../../src/core/videoroom.js';

describe('videoroom protocol', () => {
  describe('request bodies', () => {
    it('joins as a publisher, with pin and display only when set', () => {
      expect(joinPublisherBody({ room: 1234 })).to.deep.equal({ request: 'join', ptype: 'publisher', room: 1234 });
      expect(joinPublisherBody({ room: 'lobby', pin: '', display: undefined })).to.deep.equal({
        request: 'join',
        ptype: 'publisher',
        room: 'lobby',
      });
      expect(joinPublisherBody({ room: 1, pin: 's3cret', display: 'Ann' })).to.deep.equal({
        request: 'join',
        ptype: 'publisher',
        room: 1,
        pin: 's3cret',
        display: 'Ann',
      });
    });

    it('joins and configures in one request', () => {
      expect(
        joinAndConfigureBody({ room: 1, pin: 'p', audio: true, video: false, bitrate: 500_000, videocodec: 'vp8' }),
      ).to.deep.equal({
        request: 'joinandconfigure',
        ptype: 'publisher',
        room: 1,
        pin: 'p',
        audio: true,
        video: false,
        bitrate: 500_000,
        videocodec: 'vp8',
      });
      // A bitrate of 0 or none is left out (the room's cap applies).
      expect(joinAndConfigureBody({ room: 1, audio: true, video: true, bitrate: 0 })).to.deep.equal({
        request: 'joinandconfigure',
        ptype: 'publisher',
        room: 1,
        audio: true,
        video: true,
      });
    });

    it('joins as a subscriber and updates the subscription', () => {
      expect(joinSubscriberBody({ room: 1, streams: [{ feed: 7 }, { feed: 'x', mid: '1' }] })).to.deep.equal({
        request: 'join',
        ptype: 'subscriber',
        room: 1,
        streams: [{ feed: 7 }, { feed: 'x', mid: '1' }],
      });
      expect(joinSubscriberBody({ room: 1, pin: 'p', privateId: 42, streams: [] })).to.deep.equal({
        request: 'join',
        ptype: 'subscriber',
        room: 1,
        streams: [],
        pin: 'p',
        private_id: 42,
      });
      expect(subscribeBody([{ feed: 3 }])).to.deep.equal({ request: 'subscribe', streams: [{ feed: 3 }] });
      expect(subscribeBody([{ feed: 3, substream: 0 }])).to.deep.equal({
        request: 'subscribe',
        streams: [{ feed: 3, substream: 0 }],
      });
    });

    it('configures streams and bitrate, and builds start and leave', () => {
      expect(configureBody({ streams: [{ mid: '1', substream: 0, temporal: 2 }] })).to.deep.equal({
        request: 'configure',
        streams: [{ mid: '1', substream: 0, temporal: 2 }],
      });
      expect(configureBody({ streams: [{ mid: '0', send: false }] })).to.deep.equal({
        request: 'configure',
        streams: [{ mid: '0', send: false }],
      });
      expect(configureBody({ bitrate: 0 })).to.deep.equal({ request: 'configure', bitrate: 0 });
      expect(configureBody({ descriptions: [{ mid: '1', description: AUDIO_ONLY_DESCRIPTION }] })).to.deep.equal({
        request: 'configure',
        descriptions: [{ mid: '1', description: 'audio-only:network' }],
      });
      expect(startBody()).to.deep.equal({ request: 'start' });
      expect(leaveBody()).to.deep.equal({ request: 'leave' });
    });
  });

  describe('withOpusFec (the publisher offer)', () => {
    it('asks for Opus in-band FEC on every Opus payload type, whatever the fmtp said', () => {
      const offer = [
        'v=0',
        'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 112',
        'a=rtpmap:111 opus/48000/2',
        'a=fmtp:111 minptime=10;useinbandfec=0',
        'a=rtpmap:63 red/48000/2',
        'a=fmtp:63 111/111',
        'a=rtpmap:112 opus/48000/2',
        'm=video 9 UDP/TLS/RTP/SAVPF 96',
        'a=rtpmap:96 VP8/90000',
        '',
      ].join('\r\n');
      const lines = withOpusFec(offer).split('\r\n');
      expect(lines).to.include('a=fmtp:111 minptime=10;useinbandfec=1');
      expect(lines[lines.indexOf('a=rtpmap:112 opus/48000/2') + 1]).to.equal('a=fmtp:112 useinbandfec=1');
      expect(lines).to.include('a=fmtp:63 111/111');
      expect(withOpusFec('a=rtpmap:111 opus/48000/2\na=fmtp:111 minptime=10')).to.equal(
        'a=rtpmap:111 opus/48000/2\na=fmtp:111 minptime=10;useinbandfec=1',
      );
      expect(withOpusFec(withOpusFec(offer))).to.equal(withOpusFec(offer));
    });
  });

  describe('toParticipatingPublishers', () => {
    it('keeps the participants that publish, with their display names', () => {
      const data = {
        videoroom: 'participants',
        participants: [
          { id: 1, display: 'Ann', publisher: true },
          { id: 2, display: 'Bob', publisher: false },
          { id: 'c', publisher: true },
          { display: 'no id', publisher: true },
        ],
      };
      expect(toParticipatingPublishers(data)).to.deep.equal([
        { id: 1, display: 'Ann' },
        { id: 'c', display: undefined },
      ]);
      expect(listParticipantsBody(7)).to.deep.equal({ request: 'listparticipants', room: 7 });
    });
  });

  describe('toPublishers', () => {
    it('reads ids and display names', () => {
      expect(toPublishers({ publishers: [{ id: 1, display: 'Ann', streams: [] }, { id: 'b' }] })).to.deep.equal([
        { id: 1, display: 'Ann' },
        { id: 'b', display: undefined },
      ]);
    });

    it('reads a video stream described as paused for the uplink (audio only on purpose)', () => {
      const video = (description?: unknown) => ({ type: 'video', mid: '1', description });
      const data = {
        publishers: [
          { id: 1, streams: [{ type: 'audio', mid: '0' }, video(AUDIO_ONLY_DESCRIPTION)] },
          { id: 2, streams: [video('')] },
          { id: 3, streams: [{ type: 'audio', mid: '0', description: AUDIO_ONLY_DESCRIPTION }] },
          { id: 4, streams: { 0: video(AUDIO_ONLY_DESCRIPTION) } },
          { id: 5, streams: [video({ text: AUDIO_ONLY_DESCRIPTION })] },
        ],
      };
      expect(toPublishers(data).map((p) => [p.id, p.videoPaused])).to.deep.equal([
        [1, 'network'],
        [2, undefined],
        [3, undefined],
        [4, undefined],
        [5, undefined],
      ]);
    });

    it('yields nothing for null, non-object data or a non-array list', () => {
      for (const data of [null, undefined, 42, 'publishers', [], { publishers: null }, { publishers: {} }]) {
        expect(toPublishers(data), JSON.stringify(data)).to.deep.equal([]);
      }
      expect(toPublishers({ publishers: 'a,b' })).to.deep.equal([]);
      expect(toPublishers({ publishers: { 0: { id: 1 }, length: 1 } })).to.deep.equal([]);
    });

    it('skips entries without a usable id and drops non-string display names', () => {
      const data = {
        publishers: [
          null,
          'x',
          [],
          {},
          { id: null },
          { id: {} },
          { id: true },
          { id: '' },
          { id: Number.NaN },
          { id: 5, display: { html: '<img src=x onerror=alert(1)>' } },
          { id: 6, display: 123 },
        ],
      };
      expect(toPublishers(data)).to.deep.equal([
        { id: 5, display: undefined },
        { id: 6, display: undefined },
      ]);
    });

    it('caps display length and list length, and stays fast on a 100k-entry list', () => {
      expect(toPublishers({ publishers: [{ id: 1, display: 'x'.repeat(100_000) }] })[0]!.display).to.have.length(
        MAX_DISPLAY_LENGTH,
      );
      const publishers = Array.from({ length: 100_000 }, (_, id) => ({ id, display: `p${id}` }));
      const started = performance.now();
      const list = toPublishers({ publishers });
      expect(performance.now() - started).to.be.below(100);
      expect(list).to.have.length(MAX_LIST_ENTRIES);
      expect(list[0]).to.deep.equal({ id: 0, display: 'p0' });
    });
  });

  describe('toStreams', () => {
    it('reads the streams of a feed', () => {
      const data = {
        streams: [
          { mid: '0', type: 'audio', feed_id: 1, feed_mid: '0', feed_display: 'Ann' },
          { mid: 1, type: 'video', feed_id: 1, feed_mid: 1, active: false },
        ],
      };
      expect(toStreams(data)).to.deep.equal([
        { mid: '0', type: 'audio', feedId: 1, feedMid: '0', display: 'Ann', active: true },
        { mid: '1', type: 'video', feedId: 1, feedMid: '1', display: undefined, active: false },
      ]);
    });

    it('skips malformed streams and hostile data', () => {
      for (const data of [null, 'x', { streams: null }, { streams: 'x' }, { streams: {} }]) {
        expect(toStreams(data), JSON.stringify(data)).to.deep.equal([]);
      }
      const data = {
        streams: [
          null,
          { mid: '0', type: 'video' },
          { mid: '1', type: 'video', feed_id: null },
          { mid: {}, type: 'video', feed_id: 1 },
          { mid: '2', type: 'hologram', feed_id: 1 },
          { mid: '3', type: 'video', feed_id: 1, feed_display: ['x'] },
        ],
      };
      expect(toStreams(data)).to.deep.equal([
        { mid: '3', type: 'video', feedId: 1, feedMid: '', display: undefined, active: true },
      ]);
      const streams = Array.from({ length: 100_000 }, (_, i) => ({ mid: String(i), type: 'video', feed_id: i }));
      expect(toStreams({ streams })).to.have.length(MAX_LIST_ENTRIES);
    });
  });

  describe('parseRoomEvent', () => {
    it('reads joined with its publishers', () => {
      expect(
        parseRoomEvent({ videoroom: 'joined', room: 1, id: 9, private_id: 77, publishers: [{ id: 2 }] }),
      ).to.deep.equal({ type: 'joined', id: 9, privateId: 77, publishers: [{ id: 2, display: undefined }] });
      expect(parseRoomEvent({ videoroom: 'joined', publishers: 'x' })).to.deep.equal({
        type: 'joined',
        id: undefined,
        privateId: undefined,
        publishers: [],
      });
    });

    it('reads publishers joining', () => {
      expect(parseRoomEvent({ videoroom: 'event', room: 1, publishers: [{ id: 3, display: 'C' }] })).to.deep.equal({
        type: 'publishers',
        publishers: [{ id: 3, display: 'C' }],
      });
    });

    it('tells others unpublishing and leaving from ourselves', () => {
      expect(parseRoomEvent({ videoroom: 'event', room: 1, unpublished: 3 })).to.deep.equal({
        type: 'unpublished',
        self: false,
        id: 3,
      });
      expect(parseRoomEvent({ videoroom: 'event', unpublished: 'ok' })).to.deep.equal({
        type: 'unpublished',
        self: true,
      });
      expect(parseRoomEvent({ videoroom: 'event', room: 1, leaving: 'abc', display: 'A' })).to.deep.equal({
        type: 'leaving',
        self: false,
        id: 'abc',
      });
      expect(parseRoomEvent({ videoroom: 'event', leaving: 'ok' })).to.deep.equal({
        type: 'leaving',
        self: true,
        reason: undefined,
      });
      expect(parseRoomEvent({ videoroom: 'event', room: 1, leaving: 'ok', reason: 'kicked' })).to.deep.equal({
        type: 'leaving',
        self: true,
        reason: 'kicked',
      });
    });

    it('reads kicked, destroyed and errors', () => {
      expect(parseRoomEvent({ videoroom: 'event', room: 1, kicked: 4 })).to.deep.equal({ type: 'kicked', id: 4 });
      expect(parseRoomEvent({ videoroom: 'destroyed', room: 1 })).to.deep.equal({ type: 'destroyed', room: 1 });
      expect(parseRoomEvent({ videoroom: 'event', error_code: 426, error: 'No such room' })).to.deep.equal({
        type: 'error',
        code: 426,
        message: 'No such room',
      });
      expect(parseRoomEvent({ videoroom: 'event', error_code: 499, error: { nested: true } })).to.deep.equal({
        type: 'error',
        code: 499,
        message: 'Unknown plugin error',
      });
    });

    it('calls anything else unknown, and never throws', () => {
      const hostile = [
        null,
        undefined,
        0,
        'event',
        [],
        {},
        { videoroom: 'talking', id: 1 },
        { videoroom: 'event' },
        { videoroom: 'event', unpublished: null },
        { videoroom: 'event', leaving: {} },
        { videoroom: 'event', kicked: [1] },
        Object.create(null) as object,
      ];
      for (const data of hostile)
        expect(parseRoomEvent(data), String(JSON.stringify(data))).to.deep.equal({ type: 'unknown' });
    });
  });
});
