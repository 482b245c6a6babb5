/** Every visible string of `<janus-publisher>`, overridable through its `strings` property (i18n). */
export const PUBLISHER_STRINGS = {
  idle: 'Preview',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  error: 'Error',
  closed: 'Stopped',
  goLive: 'Go live',
  stop: 'Stop',
  micOn: 'Mute microphone',
  micOff: 'Unmute microphone',
  cameraOn: 'Turn camera off',
  cameraOff: 'Turn camera on',
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  camera: 'Camera',
  microphone: 'Microphone',
  controls: 'Publisher controls',
  noVideo: 'Camera is off',
};

export type PublisherStrings = typeof PUBLISHER_STRINGS;

/** Properties whose change rebuilds the publishing machine (and publishes again if it was live). */
export const RESTART_PROPERTIES = [
  'display',
  'resolution',
  'frameRate',
  'facingMode',
  'videoConstraints',
  'audioConstraints',
  'noSimulcast',
  'maxBitrate',
  'videoCodec',
  'audio',
] as const;
