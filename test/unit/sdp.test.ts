import { expect } from '@open-wc/testing';
import { asDtlsServer } from '../../src/core/janus.js';

describe('asDtlsServer', () => {
  const answer = [
    'v=0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=setup:active',
    'a=mid:0',
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'a=setup:active',
    'a=mid:1',
    '',
  ].join('\r\n');

  it('answers every m-section as the DTLS server', () => {
    const munged = asDtlsServer(answer)!;
    expect(munged.match(/a=setup:passive\r\n/g)).to.have.length(2);
    expect(munged).not.to.include('a=setup:active');
    expect(munged.replace(/passive/g, 'active')).to.equal(answer);
  });

  it('leaves an answer that already chose a role, or other lines, alone', () => {
    const passive = answer.replace(/active/g, 'passive');
    expect(asDtlsServer(passive)).to.equal(passive);
    const odd = 'a=x-setup:active-ish\r\na=setup:actpass\r\n';
    expect(asDtlsServer(odd)).to.equal(odd);
    expect(asDtlsServer(undefined)).to.equal(undefined);
  });
});
