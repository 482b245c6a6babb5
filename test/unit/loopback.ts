// A real RTCPeerConnection pair inside the page, sending Chromium's fake camera and microphone.

export interface Loopback {
  sender: RTCPeerConnection;
  receiver: RTCPeerConnection;
  stream: MediaStream;
  close(): void;
}

export async function loopback(): Promise<Loopback> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: true });
  const sender = new RTCPeerConnection();
  const receiver = new RTCPeerConnection();
  sender.onicecandidate = (e) => void (e.candidate && receiver.addIceCandidate(e.candidate));
  receiver.onicecandidate = (e) => void (e.candidate && sender.addIceCandidate(e.candidate));
  for (const track of stream.getTracks()) sender.addTrack(track, stream);
  await sender.setLocalDescription(await sender.createOffer());
  await receiver.setRemoteDescription(sender.localDescription!);
  await receiver.setLocalDescription(await receiver.createAnswer());
  await sender.setRemoteDescription(receiver.localDescription!);
  const connected = (pc: RTCPeerConnection) => ['connected', 'completed'].includes(pc.iceConnectionState);
  const deadline = Date.now() + 10000;
  while (!(connected(sender) && connected(receiver))) {
    if (Date.now() > deadline) throw new Error(`loopback ICE: ${sender.iceConnectionState}/${receiver.iceConnectionState}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    sender,
    receiver,
    stream,
    close() {
      sender.close();
      receiver.close();
      for (const track of stream.getTracks()) track.stop();
    },
  };
}

/** Polls until `check` is truthy (or throws with `what` after the deadline). */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out waiting for ${what} (last: ${String(last)})`);
}
