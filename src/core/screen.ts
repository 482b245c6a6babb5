import { fromMediaError } from './errors.js';
import { audioConstraints, stopStream, withAbort, type CaptureOptions } from './media.js';

/** The screen (getDisplayMedia) plus, unless `audio` is `none`, the microphone. */
export async function captureScreen(options: CaptureOptions, signal?: AbortSignal): Promise<MediaStream> {
  const screen = await withAbort(
    navigator.mediaDevices.getDisplayMedia({
      video: options.videoConstraints ?? { frameRate: { ideal: options.frameRate ?? 30 } },
    }),
    signal,
  ).catch((error) => {
    throw fromMediaError(error, 'screen');
  });
  if (options.audio === 'none') return screen;
  try {
    const mic = await withAbort(navigator.mediaDevices.getUserMedia({ audio: audioConstraints(options) }), signal);
    return new MediaStream([...mic.getAudioTracks(), ...screen.getVideoTracks()]);
  } catch (error) {
    stopStream(screen);
    throw signal?.aborted ? error : fromMediaError(error);
  }
}
