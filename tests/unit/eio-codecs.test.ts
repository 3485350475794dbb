import {
  decodeFromWebSocket,
  decodePollingPayload,
  EngineDecodeError,
  encodeForPolling,
  encodeForWebSocket,
  encodePollingPayload,
} from '../../src/protocols/eio/engine-codec';
import { encodeSocketPacket, SocketDecodeError, SocketPacketDecoder, SocketPacketType, type SocketPacket } from '../../src/protocols/eio/socket-codec';
import { seededRandom } from '../helpers/random';

const decoder = () => new SocketPacketDecoder({ maxAttachments: 4 });

/** Decodes a packet as the server receives it: the text, then each attachment. */
function roundTrip(packet: SocketPacket): SocketPacket | null {
  const { text, attachments } = encodeSocketPacket(packet);
  const reader = decoder();
  let result = reader.add(text);
  for (const attachment of attachments) result = reader.add(attachment);
  return result;
}

describe('Engine.IO 4 codec', () => {
  it('encodes packets as the spec writes them', () => {
    expect(encodeForWebSocket({ type: 'open', data: '{"sid":"x"}' })).toBe('0{"sid":"x"}');
    expect(encodeForWebSocket({ type: 'ping' })).toBe('2');
    expect(encodeForWebSocket({ type: 'message', data: 'hello' })).toBe('4hello');
    expect(encodeForWebSocket({ type: 'message', data: Buffer.from([1, 2]) })).toEqual(Buffer.from([1, 2]));
    expect(encodeForPolling({ type: 'message', data: Buffer.from([1, 2, 3, 4]) })).toBe('bAQIDBA==');
    expect(encodePollingPayload([{ type: 'message', data: 'hello' }, { type: 'message', data: Buffer.from([1, 2, 3, 4]) }])).toBe('4hello\x1ebAQIDBA==');
  });

  it('decodes polling payloads and websocket frames', () => {
    expect(decodePollingPayload('4hello\x1ebAQIDBA==\x1e3', 10)).toEqual([
      { type: 'message', data: 'hello' },
      { type: 'message', data: Buffer.from([1, 2, 3, 4]) },
      { type: 'pong' },
    ]);
    expect(decodeFromWebSocket('3probe', false)).toEqual({ type: 'pong', data: 'probe' });
    expect(decodeFromWebSocket(Buffer.from([9]), true)).toEqual({ type: 'message', data: Buffer.from([9]) });
  });

  it.each([
    ['an empty payload', ''],
    ['an empty packet between separators', '4a\x1e\x1e4b'],
    ['an unknown type', '9nine'],
    ['a letter as type', 'xyz'],
    ['binary that is not base64', 'b!!!'],
  ])('refuses %s', (_what, body) => {
    expect(() => decodePollingPayload(body, 10)).toThrow(EngineDecodeError);
  });

  it('refuses more packets than allowed', () => {
    expect(() => decodePollingPayload(Array(11).fill('3').join('\x1e'), 10)).toThrow(EngineDecodeError);
  });
});

describe('Socket.IO 5 codec', () => {
  it('encodes the spec examples', () => {
    expect(encodeSocketPacket({ type: SocketPacketType.CONNECT, nsp: '/' }).text).toBe('0');
    expect(encodeSocketPacket({ type: SocketPacketType.CONNECT, nsp: '/admin', data: { sid: 'oSO0OpakMV_3jnilAAAA' } }).text).toBe('0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}');
    expect(encodeSocketPacket({ type: SocketPacketType.EVENT, nsp: '/', data: ['foo'] }).text).toBe('2["foo"]');
    expect(encodeSocketPacket({ type: SocketPacketType.EVENT, nsp: '/admin', data: ['bar'], id: 12 }).text).toBe('2/admin,12["bar"]');
    expect(encodeSocketPacket({ type: SocketPacketType.ACK, nsp: '/', data: ['bar'], id: 12 }).text).toBe('312["bar"]');
    expect(encodeSocketPacket({ type: SocketPacketType.CONNECT_ERROR, nsp: '/', data: { message: 'Not authorized' } }).text).toBe('4{"message":"Not authorized"}');
    const binary = encodeSocketPacket({ type: SocketPacketType.EVENT, nsp: '/', data: ['baz', Buffer.from([1, 2, 3, 4])] });
    expect(binary.text).toBe('51-["baz",{"_placeholder":true,"num":0}]');
    expect(binary.attachments).toEqual([Buffer.from([1, 2, 3, 4])]);
  });

  it('leaves the caller\'s objects alone when it takes their binaries out', () => {
    const data = ['e', { file: Buffer.from('x'), nested: [new Uint8Array([7])] }];
    encodeSocketPacket({ type: SocketPacketType.EVENT, nsp: '/', data });
    expect(Buffer.isBuffer((data[1] as { file: unknown }).file)).toBe(true);
  });

  it('round-trips events, acks and nested binary', () => {
    const packets: SocketPacket[] = [
      { type: SocketPacketType.EVENT, nsp: '/', data: ['a', 1, { b: [true, null] }] },
      { type: SocketPacketType.EVENT, nsp: '/chat', data: ['a'], id: 7 },
      { type: SocketPacketType.ACK, nsp: '/', data: [], id: 0 },
    ];
    for (const packet of packets) expect(roundTrip(packet)).toEqual(packet);
    const decoded = roundTrip({ type: SocketPacketType.EVENT, nsp: '/', data: ['f', { x: Buffer.from('1') }, [Buffer.from('22')]], id: 3 });
    // Once its attachments are in, a binary event is an event like any other.
    expect(decoded).toEqual({ type: SocketPacketType.EVENT, nsp: '/', data: ['f', { x: Buffer.from('1') }, [Buffer.from('22')]], id: 3 });
  });

  it.each([
    ['an unknown type', '9'],
    ['invalid JSON', '2["a"'],
    ['an EVENT that is not an array', '2{"a":1}'],
    ['an EVENT without a name', '2[]'],
    ['a reserved event name', '2["disconnect"]'],
    ['an ACK without an id', '3["x"]'],
    ['DISCONNECT with data', '1{"a":1}'],
    ['CONNECT_ERROR from a client', '4{"message":"x"}'],
    ['too many attachments', '55-["a",{"_placeholder":true,"num":0}]'],
    ['a binary packet without a count', '5["a"]'],
    ['an attachment count on a text packet', '21-["a"]'],
    ['a CONNECT with an array', '0[1]'],
  ])('refuses %s', (_what, text) => {
    expect(() => decoder().add(text)).toThrow(SocketDecodeError);
  });

  it('refuses attachments nobody waits for, text while attachments are due, and bad placeholders', () => {
    expect(() => decoder().add(Buffer.from('x'))).toThrow(SocketDecodeError);
    const waiting = decoder();
    expect(waiting.add('51-["a",{"_placeholder":true,"num":0}]')).toBeNull();
    expect(waiting.awaitingAttachments).toBe(true);
    expect(() => waiting.add('2["b"]')).toThrow(SocketDecodeError);
    // Placeholders are checked against the announced count as soon as the text arrives.
    expect(() => decoder().add('51-["a",{"_placeholder":true,"num":5}]')).toThrow(SocketDecodeError);
    expect(() => decoder().add('52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]')).toThrow(SocketDecodeError);
  });

  it('fuzz: 50,000 mutated packets decode to a packet, wait for attachments, or throw the typed error', () => {
    const random = seededRandom(Number(process.env.FUZZ_SEED ?? 0xe10));
    const seeds = ['0', '0/admin,{"token":"x"}', '2["a",1]', '2/chat,12["b",{"c":[1,2]}]', '312["ok"]', '51-["f",{"_placeholder":true,"num":0}]', '1/admin,'];
    const alphabet = '0123456789[]{}",:/-_placeholdernum truefalse\\';
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 50_000; i++) {
      let text = seeds[Math.floor(random() * seeds.length)];
      const edits = 1 + Math.floor(random() * 4);
      for (let edit = 0; edit < edits; edit++) {
        const at = Math.floor(random() * (text.length + 1));
        const char = alphabet[Math.floor(random() * alphabet.length)];
        text = random() < 0.5 ? text.slice(0, at) + char + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
      }
      const reader = decoder();
      try {
        const packet = reader.add(text);
        if (packet === null) reader.add(Buffer.from('attachment'));
        accepted++;
      } catch (error) {
        if (!(error instanceof SocketDecodeError)) throw new Error(`${JSON.stringify(text)} threw ${String(error)}`);
        refused++;
      }
      try {
        decodePollingPayload(text, 16);
      } catch (error) {
        if (!(error instanceof EngineDecodeError)) throw new Error(`${JSON.stringify(text)} threw ${String(error)}`);
      }
    }
    // Both paths must be exercised, or this test proves nothing.
    expect(accepted).toBeGreaterThan(2_000);
    expect(refused).toBeGreaterThan(2_000);
  });
});
