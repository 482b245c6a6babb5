/** Every visible string of `<janus-viewer>`, overridable through its `strings` property (i18n). */
export const VIEWER_STRINGS = {
  idle: 'Starting…',
  connecting: 'Connecting…',
  waiting: 'Waiting for the broadcast to start…',
  live: 'Live',
  broadcast: 'Broadcast · {seconds} s behind',
  reconnecting: 'Reconnecting…',
  error: 'Error',
  closed: 'Stopped',
  unmute: 'Unmute',
  mute: 'Mute',
  volume: 'Volume',
  quality: 'Quality',
  auto: 'Auto',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  audio: 'Audio only',
  audioOnly: 'Audio only',
  audioOnlyPublisher: "Audio only · publisher's network",
  fullscreen: 'Full screen',
  pictureInPicture: 'Picture in picture',
  controls: 'Player controls',
};

/** The longest a live viewer keeps its control bar back waiting for a first frame. */
export const CONTROLS_WAIT_MS = 1000;
