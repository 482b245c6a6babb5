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
    if (Date.now() > deadline)
      throw new Error(`loopback ICE: ${sender.iceConnectionState}/${receiver.iceConnectionState}`);
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

export { until } from '../poll.js';
