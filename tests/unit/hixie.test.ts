import { HixieFrameReader, hixie76Answer, hixieDraftOf } from '../../src/websocket/hixie';

describe('hixie handshake', () => {
  it('answers the challenge of the hixie-76 draft example', () => {
    // The worked example of draft-hixie-thewebsocketprotocol-76, section 1.3.
    const answer = hixie76Answer('4 @1  46546xW%0l 1 5', '12998 5 Y3 1  .P00', Buffer.from('^n:ds[4U', 'latin1'));
    expect(answer.toString('latin1')).toBe('8jKS\'y:G*Co,Wxa-');
  });

  it('tells the drafts from RFC 6455 and from garbage by their headers', () => {
    const base = { upgrade: 'WebSocket', connection: 'Upgrade', host: 'x' };
    expect(hixieDraftOf({ ...base, 'sec-websocket-key1': 'a', 'sec-websocket-key2': 'b', origin: 'http://x' })).toBe(76);
    expect(hixieDraftOf({ ...base, origin: 'http://x' })).toBe(75);
    expect(hixieDraftOf({ ...base, 'sec-websocket-key': 'k', 'sec-websocket-version': '13' })).toBeNull();
    expect(hixieDraftOf({ ...base, 'sec-websocket-version': '8', origin: 'http://x' })).toBeNull();
    // No key and no Origin: no browser's handshake, left to the RFC 6455 path to refuse.
    expect(hixieDraftOf(base)).toBeNull();
    expect(hixieDraftOf({ host: 'x', origin: 'http://x' })).toBeNull();
  });
});

describe('HixieFrameReader', () => {
  const read = (max: number, ...chunks: number[][]) => {
    const events: string[] = [];
    const reader = new HixieFrameReader(max, {
      message: (text) => events.push(`message ${text}`),
      closing: () => events.push('closing'),
      fail: (reason) => events.push(`fail ${reason}`),
    });
    for (const chunk of chunks) reader.push(Buffer.from(chunk));
    return events;
  };
  const text = (s: string) => [...Buffer.from(s, 'utf8')];

  it('reads frames split anywhere and several in one chunk', () => {
    expect(read(100, [0x00, ...text('ab')], [...text('c'), 0xff, 0x00], [0xff, 0x00, ...text('é'), 0xff])).toEqual(['message abc', 'message ', 'message é']);
  });

  it('skips length-prefixed frames and other sentinel types; 0xFF 0x00 is the close', () => {
    expect(read(100, [0x80, 0x02, 1, 2, 0x05, 1, 0xff, 0x00, ...text('x'), 0xff, 0xff, 0x00, 0x00, 0x41])).toEqual(['message x', 'closing']);
  });

  it('fails a frame past the limit as soon as the count passes it, and stops', () => {
    expect(read(3, [0x00, ...text('ab')], [...text('cd')], [0xff, 0x00, 0xff])).toEqual(['fail message over the limit of 3 bytes']);
    expect(read(3, [0x00, ...text('abc'), 0xff])).toEqual(['message abc']);
    expect(read(200, [0x80, 0x82, 0x00])).toEqual(['fail frame length over the limit of 200 bytes']);
    // A length that never ends is caught by the same check.
    expect(read(1000, [0x80, 0xff, 0xff, 0xff, 0xff])).toEqual(['fail frame length over the limit of 1000 bytes']);
  });

  it('fails invalid UTF-8, even split over chunks', () => {
    expect(read(100, [0x00, 0xc3], [0x28, 0xff])).toEqual(['fail invalid UTF-8 in a text frame']);
    expect(read(100, [0x00, 0xed, 0xa0, 0x80, 0xff])).toEqual(['fail invalid UTF-8 in a text frame']);
  });
});
