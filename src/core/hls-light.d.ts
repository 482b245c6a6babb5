// hls.js ships its light build without a declaration file of its own; it is the full build's API
// minus features the viewer does not use (alternate audio, subtitles, DRM, CMCD, interstitials).
declare module 'hls.js/light' {
  import Hls from 'hls.js';
  export default Hls;
}
