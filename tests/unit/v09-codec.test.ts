/**
 * The Socket.IO 0.7-0.9 codec: `type:id:endpoint:data` packets of all nine
 * types, `id+` acks, error `reason+advice`, the `\ufffd<len>\ufffd` framing
 * (length in JavaScript string length), malformed input, and a seeded fuzz.
 */
import {
  decodePacket,
  decodePayload,
  encodeAck,
  encodeConnect,
  encodeDisconnect,
  encodeError,
  encodeEvent,
  encodePayload,
  encodeSend,
  HEARTBEAT_PACKET,
  NOOP_PACKET,
  PacketDecodeError,
  PacketType,
  readAck,
  readEvent,
} from '../../src/protocols/v09/codec';
import { seededRandom } from '../helpers/random';

const F = '\ufffd';

describe('0.9 packets', () => {
  it.each([
    ['0::/chat', PacketType.DISCONNECT, '', false, '/chat', ''],
    ['1::/chat?x=1', PacketType.CONNECT, '', false, '/chat?x=1', ''],
    ['2::', PacketType.HEARTBEAT, '', false, '', ''],
    ['3:1::hello: world', PacketType.MESSAGE, '1', false, '', 'hello: world'],
    ['4:7+:/a:{"a":1}', PacketType.JSON, '7', true, '/a', '{"a":1}'],
    ['5:12+::{"name":"x","args":[1]}', PacketType.EVENT, '12', true, '', '{"name":"x","args":[1]}'],
    ['6:::4+[1,2]', PacketType.ACK, '', false, '', '4+[1,2]'],
    ['7:::2+0', PacketType.ERROR, '', false, '', '2+0'],
    ['8::', PacketType.NOOP, '', false, '', ''],
    ['3::', PacketType.MESSAGE, '', false, '', ''],
    ['3:::', PacketType.MESSAGE, '', false, '', ''],
  ])('decodes %j', (text, type, id, ackWithData, endpoint, data) => {
    expect(decodePacket(text)).toEqual({ type, id, ackWithData, endpoint, data });
  });

  it.each(['', '9::', 'x::', '3', '3:', '3:a:', '3:+:', '3:1+x:', ':::', '31::', `3:${'1'.repeat(16)}::`])('refuses %j with a PacketDecodeError', (text) => {
    expect(() => decodePacket(text)).toThrow(PacketDecodeError);
  });

  it('encodes what the client reads', () => {
    expect(encodeSend('', 'hi')).toBe('3:::hi');
    expect(encodeSend('/chat', { a: [1] })).toBe('4::/chat:{"a":[1]}');
    expect(encodeEvent('', 'ev', [])).toBe('5:::{"name":"ev"}');
    expect(encodeEvent('/c', 'ev', [1, 'b'], 3)).toBe('5:3+:/c:{"name":"ev","args":[1,"b"]}');
    expect(encodeAck('', '9')).toBe('6:::9');
    expect(encodeAck('/c', '9', ['x', 2])).toBe('6::/c:9+["x",2]');
    expect(encodeError('/c', 'unauthorized')).toBe('7::/c:2');
    expect(encodeError('', 'client not handshaken', true)).toBe('7:::1+0');
    expect(encodeConnect('/c')).toBe('1::/c');
    expect(encodeDisconnect('')).toBe('0::');
    expect(HEARTBEAT_PACKET).toBe('2::');
    expect(NOOP_PACKET).toBe('8::');
  });

  it('refuses a value JSON cannot carry', () => {
    expect(() => encodeSend('', undefined)).toThrow(TypeError);
  });

  it('round-trips every encoded packet through the decoder', () => {
    const packets = [encodeSend('/c', 'a:b'), encodeEvent('', 'e', [{ x: ':' }], 5), encodeAck('/c', '5', [1]), encodeError('', 'unauthorized', true)];
    expect(packets.map((text) => decodePacket(text).data)).toEqual(['a:b', '{"name":"e","args":[{"x":":"}]}', '5+[1]', '2+0']);
  });

  it('reads events and acks', () => {
    expect(readEvent('{"name":"a","args":[1]}')).toEqual({ name: 'a', args: [1] });
    expect(readEvent('{"name":"a"}')).toEqual({ name: 'a', args: [] });
    for (const bad of ['', '{', '[]', 'null', '{"name":1}', '{"name":"a","args":3}']) expect(readEvent(bad)).toBeNull();
    expect(readAck('4')).toEqual({ id: 4, args: [] });
    expect(readAck('4+["a",1]')).toEqual({ id: 4, args: ['a', 1] });
    expect(readAck('4+7')).toEqual({ id: 4, args: [7] });
    for (const bad of ['', '+1', 'a', '4+{', `${'9'.repeat(16)}`]) expect(readAck(bad)).toBeNull();
  });
});

describe('0.9 payload framing', () => {
  it('frames several packets with their JavaScript string length, astral characters counting two', () => {
    const packets = ['3:::😀', '3:::é中', '2::'];
    const body = encodePayload(packets);
    expect(body).toBe(`${F}6${F}3:::😀${F}6${F}3:::é中${F}3${F}2::`);
    expect(decodePayload(body, 10)).toEqual(packets);
  });

  it('sends a single packet bare, and reads a bare body as one packet', () => {
    expect(encodePayload(['3:::a'])).toBe('3:::a');
    expect(decodePayload('3:::a', 10)).toEqual(['3:::a']);
  });

  it.each([
    [`${F}5${F}3:::`, 'runs past the body'],
    [`${F}${F}3:::`, 'digits'],
    [`${F}4x${F}3:::`, 'digits'],
    [`${F}4${F}3:::a`, 'U+FFFD'],
    [`${F}${'9'.repeat(16)}${F}`, 'digits'],
    [`${F}99999999${F}2::`, 'runs past'],
  ])('refuses the malformed body %j', (body, message) => {
    expect(() => decodePayload(body, 10)).toThrow(PacketDecodeError);
    expect(() => decodePayload(body, 10)).toThrow(message);
  });

  it('refuses more packets than the limit', () => {
    const body = encodePayload(['2::', '2::', '2::']);
    expect(decodePayload(body, 3)).toHaveLength(3);
    expect(() => decodePayload(body, 2)).toThrow(PacketDecodeError);
  });
});

describe('0.9 decoder fuzz', () => {
  const ALPHABET = [F, '0', '1', '3', '5', '9', ':', '+', '/', '?', '{', '}', '"', 'a', '😀', '\ud800', '\0', '\n'];

  it('throws nothing but PacketDecodeError on random and mutated input (seeded)', () => {
    const random = seededRandom(0x0906);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const valid = [encodeSend('/c', 'x'), encodeEvent('', 'e', [1], 2), encodeAck('', '2', [3]), '1::/chat?x=1', '2::', '7:::2+0'];
    let decoded = 0;
    let refused = 0;
    for (let round = 0; round < 5000; round++) {
      let body: string;
      if (random() < 0.5) {
        body = Array.from({ length: Math.floor(random() * 30) }, () => pick(ALPHABET)).join('');
      } else {
        const framed = encodePayload(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(valid)));
        const at = Math.floor(random() * (framed.length + 1));
        body = framed.slice(0, at) + (random() < 0.5 ? pick(ALPHABET) : '') + framed.slice(at + Math.floor(random() * 2));
      }
      try {
        decodePayload(body, 16).map(decodePacket);
        decoded++;
      } catch (error) {
        if (!(error instanceof PacketDecodeError)) throw error;
        refused++;
      }
    }
    // Both outcomes occur, so the fuzz exercises the grammar and not only its first check.
    expect(decoded).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});
