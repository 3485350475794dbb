/**
 * The Engine.IO 4 and Socket.IO 5 codecs: the examples of the two protocol
 * specs (the expected strings written from the spec text), socket.io's test
 * suite inputs, round trips with nested binary, and every refusal.
 */
import {
  decodeFromWebSocket,
  decodePollingPayload,
  EngineDecodeError,
  encodeForPolling,
  encodeForWebSocket,
  encodePollingPayload,
  type EnginePacket,
  withTextFrames,
} from '../../src/protocols/eio/engine-codec';
import { encodeMessageEvent, encodeSocketPacket, SocketDecodeError, SocketPacketDecoder, SocketPacketType, type SocketPacket } from '../../src/protocols/eio/socket-codec';

const { CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR, BINARY_EVENT, BINARY_ACK } = SocketPacketType;
const MAX_ATTACHMENTS = 10;
const decoder = () => new SocketPacketDecoder({ maxAttachments: MAX_ATTACHMENTS });
const placeholder = (num: number) => `{"_placeholder":true,"num":${num}}`;

/** Feeds the text, then each attachment, as the session does; returns what the last chunk completed. */
function decodeAll(text: string, attachments: readonly Buffer[] = [], reader = decoder()): SocketPacket | null {
  let result = reader.add(text);
  for (const attachment of attachments) {
    expect(result).toBeNull();
    result = reader.add(attachment);
  }
  return result;
}

function roundTrip(packet: SocketPacket): SocketPacket | null {
  const { text, attachments } = encodeSocketPacket(packet);
  return decodeAll(text, attachments);
}

/** Every binary as the decoder hands it back: a Buffer of the same bytes. */
function asDecoded(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(asDecoded);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asDecoded(item)]));
  return value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

function refusal(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('Engine.IO 4 codec', () => {
  describe('spec examples (engine.io-protocol README, "Packet encoding")', () => {
    it('polling: 4hello\\x1e2\\x1e4world, both ways', () => {
      const packets: EnginePacket[] = [{ type: 'message', data: 'hello' }, { type: 'ping' }, { type: 'message', data: 'world' }];
      expect(encodePollingPayload(packets)).toBe('4hello\x1e2\x1e4world');
      expect(decodePollingPayload('4hello\x1e2\x1e4world', 10)).toEqual(packets);
    });

    it('polling with binary: 4hello\\x1ebAQIDBA==, both ways', () => {
      const packets: EnginePacket[] = [{ type: 'message', data: 'hello' }, { type: 'message', data: Buffer.from([1, 2, 3, 4]) }];
      expect(encodePollingPayload(packets)).toBe('4hello\x1ebAQIDBA==');
      expect(decodePollingPayload('4hello\x1ebAQIDBA==', 10)).toEqual(packets);
    });

    it('websocket: 4hello as text, binary as is', () => {
      expect(encodeForWebSocket({ type: 'message', data: 'hello' })).toBe('4hello');
      expect(decodeFromWebSocket('4hello', false)).toEqual({ type: 'message', data: 'hello' });
      const bytes = Buffer.from([1, 2, 3, 4]);
      expect(encodeForWebSocket({ type: 'message', data: bytes })).toBe(bytes);
      expect(decodeFromWebSocket(bytes, true)).toEqual({ type: 'message', data: bytes });
    });

    it('the handshake, heartbeat and upgrade packets', () => {
      const open = '{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}';
      expect(encodeForPolling({ type: 'open', data: open })).toBe(`0${open}`);
      expect(encodeForWebSocket({ type: 'ping' })).toBe('2');
      expect(decodeFromWebSocket('3', false)).toEqual({ type: 'pong' });
      expect(decodeFromWebSocket('2probe', false)).toEqual({ type: 'ping', data: 'probe' });
      expect(encodeForWebSocket({ type: 'pong', data: 'probe' })).toBe('3probe');
      expect(decodeFromWebSocket('5', false)).toEqual({ type: 'upgrade' });
      expect(encodeForPolling({ type: 'noop' })).toBe('6');
      expect(decodePollingPayload('1', 1)).toEqual([{ type: 'close' }]);
    });

    it('the Socket.IO sample session: 42["hello"]\\x1e42["world"] in one POST', () => {
      expect(decodePollingPayload('42["hello"]\x1e42["world"]', 10)).toEqual([
        { type: 'message', data: '2["hello"]' },
        { type: 'message', data: '2["world"]' },
      ]);
    });
  });

  it('maps every type digit, both ways, with no data when the digit is alone', () => {
    const types = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'] as const;
    types.forEach((type, digit) => {
      expect(encodeForPolling({ type })).toBe(String(digit));
      expect(decodeFromWebSocket(String(digit), false)).toEqual({ type });
      expect(decodeFromWebSocket(String(digit), false)).not.toHaveProperty('data');
      expect(decodeFromWebSocket(`${digit}x`, false)).toEqual({ type, data: 'x' });
    });
  });

  it('keeps text data as it is: UTF-8, separators of other protocols, JSON', () => {
    for (const data of ['é😀中', '~m~5~m~hello', '{"a":[1]}', ' ', '\n']) {
      expect(decodePollingPayload(encodeForPolling({ type: 'message', data }), 1)).toEqual([{ type: 'message', data }]);
      expect(decodeFromWebSocket(encodeForWebSocket({ type: 'message', data }) as string, false)).toEqual({ type: 'message', data });
    }
  });

  it('reads a text frame handed over as a Buffer as UTF-8', () => {
    expect(decodeFromWebSocket(Buffer.from('4é', 'utf8'), false)).toEqual({ type: 'message', data: 'é' });
  });

  it('reads a b-prefixed text frame over websocket, as forceBase64 clients (b64=1) send binary', () => {
    expect(decodeFromWebSocket('bAQIDBA==', false)).toEqual({ type: 'message', data: Buffer.from([1, 2, 3, 4]) });
  });

  it('takes an empty binary frame, an empty base64 packet and unpadded base64', () => {
    expect(decodeFromWebSocket(Buffer.alloc(0), true)).toEqual({ type: 'message', data: Buffer.alloc(0) });
    expect(decodePollingPayload('b', 1)).toEqual([{ type: 'message', data: Buffer.alloc(0) }]);
    expect(decodePollingPayload('bAQIDBA', 1)).toEqual([{ type: 'message', data: Buffer.from([1, 2, 3, 4]) }]);
    expect(decodePollingPayload('bAQID', 1)).toEqual([{ type: 'message', data: Buffer.from([1, 2, 3]) }]);
  });

  it('refuses binary data on a packet that is not a message', () => {
    expect(() => encodeForWebSocket({ type: 'ping', data: Buffer.from([1]) })).toThrow(TypeError);
    expect(() => encodeForPolling({ type: 'open', data: Buffer.from([1]) })).toThrow(TypeError);
  });

  it.each([
    ['an empty body', '', /empty packet/],
    ['an empty packet between separators', '4a\x1e\x1e4b', /empty packet/],
    ['a trailing separator', '4a\x1e', /empty packet/],
    ['a leading separator', '\x1e4a', /empty packet/],
    ['type 7', '7', /unknown packet type "7"/],
    ['type 9', '9nine', /unknown packet type/],
    ['a letter as type', 'xyz', /unknown packet type "x"/],
    ['the character before "0"', '/', /unknown packet type/],
    ['the character after "9"', ':', /unknown packet type/],
    ['a capital B', 'BAQIDBA==', /unknown packet type/],
    ['base64 with foreign characters', 'b!!!', /base64/],
    ['URL-safe base64', 'bAQ-_', /base64/],
    ['base64 with whitespace', 'bAQID BA==', /base64/],
    ['base64 with a newline', 'bAQID\nBA==', /base64/],
    ['padding in the middle', 'bA=QI', /base64/],
    ['padding at the start', 'b=AQI', /base64/],
    ['three padding characters', 'bAQ===', /base64/],
    ['padding that does not complete a quartet', 'bAQIDBA=', /base64/],
    ['one character left over', 'bAQIDB', /base64/],
    ['base64 outside ASCII', 'bAQé=', /base64/],
    ['a bad binary packet after a good one', '4ok\x1eb***', /base64/],
  ])('polling refuses %s', (_what, body, reason) => {
    const error = refusal(() => decodePollingPayload(body, 10));
    expect(error).toBeInstanceOf(EngineDecodeError);
    expect(error.message).toMatch(reason);
  });

  it.each([
    ['an empty text frame', ''],
    ['an unknown type', '8'],
    ['bad base64', 'b%%%'],
  ])('websocket refuses %s', (_what, frame) => {
    expect(() => decodeFromWebSocket(frame, false)).toThrow(EngineDecodeError);
    expect(() => decodeFromWebSocket(Buffer.from(frame), false)).toThrow(EngineDecodeError);
  });

  it('takes exactly maxPackets packets and refuses one more', () => {
    const body = (count: number) => Array(count).fill('3').join('\x1e');
    expect(decodePollingPayload(body(10), 10)).toHaveLength(10);
    const error = refusal(() => decodePollingPayload(body(11), 10));
    expect(error).toBeInstanceOf(EngineDecodeError);
    expect(error.message).toBe('more than 10 packets in one payload');
  });

  it('has an Error subclass for its refusals, whose message is the reason', () => {
    const error = refusal(() => decodeFromWebSocket('', false));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('EngineDecodeError');
    expect(error.message).toBe('empty packet');
  });
});

describe('Socket.IO 5 codec: encoding', () => {
  describe('spec examples (socket.io-protocol README, "Packet encoding" and "Sample session")', () => {
    it.each<[string, SocketPacket, string]>([
      ['CONNECT to the main namespace', { type: CONNECT, nsp: '/' }, '0'],
      ['CONNECT to a custom namespace', { type: CONNECT, nsp: '/admin', data: { sid: 'oSO0OpakMV_3jnilAAAA' } }, '0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}'],
      ['CONNECT_ERROR', { type: CONNECT_ERROR, nsp: '/', data: { message: 'Not authorized' } }, '4{"message":"Not authorized"}'],
      ['EVENT', { type: EVENT, nsp: '/', data: ['foo'] }, '2["foo"]'],
      ['EVENT to a custom namespace', { type: EVENT, nsp: '/admin', data: ['bar'] }, '2/admin,["bar"]'],
      ['EVENT with an ack id', { type: EVENT, nsp: '/', data: ['foo'], id: 12 }, '212["foo"]'],
      ['ACK to a custom namespace', { type: ACK, nsp: '/admin', data: ['bar'], id: 13 }, '3/admin,13["bar"]'],
      ['DISCONNECT', { type: DISCONNECT, nsp: '/' }, '1'],
      ['DISCONNECT from a custom namespace', { type: DISCONNECT, nsp: '/admin' }, '1/admin,'],
      ['the namespace approval of the sample session', { type: CONNECT, nsp: '/', data: { sid: 'wZX3oN0bSVIhsaknAAAI' } }, '0{"sid":"wZX3oN0bSVIhsaknAAAI"}'],
      ['socket.emit("hey", "Jude")', { type: EVENT, nsp: '/', data: ['hey', 'Jude'] }, '2["hey","Jude"]'],
    ])('%s', (_what, packet, text) => {
      expect(encodeSocketPacket(packet)).toEqual({ text, attachments: [] });
    });

    it('BINARY_EVENT with one attachment', () => {
      const encoded = encodeSocketPacket({ type: EVENT, nsp: '/', data: ['baz', Buffer.from([1, 2, 3, 4])] });
      expect(encoded).toEqual({ text: `51-["baz",${placeholder(0)}]`, attachments: [Buffer.from([1, 2, 3, 4])] });
    });

    it('BINARY_EVENT with two attachments in a custom namespace', () => {
      const encoded = encodeSocketPacket({ type: BINARY_EVENT, nsp: '/admin', data: ['baz', Buffer.from([1, 2]), Buffer.from([3, 4])] });
      expect(encoded.text).toBe(`52-/admin,["baz",${placeholder(0)},${placeholder(1)}]`);
      expect(encoded.attachments).toEqual([Buffer.from([1, 2]), Buffer.from([3, 4])]);
    });

    it('BINARY_ACK, in the main namespace and in the sample session', () => {
      expect(encodeSocketPacket({ type: ACK, nsp: '/', data: ['bar', Buffer.from([1, 2, 3, 4])], id: 15 }).text).toBe(`61-15["bar",${placeholder(0)}]`);
      expect(encodeSocketPacket({ type: ACK, nsp: '/admin', data: [Buffer.from([9])], id: 1 }).text).toBe(`61-/admin,1[${placeholder(0)}]`);
    });
  });

  it('finds binary of every kind, at any depth, numbered in the order JSON.stringify meets it', () => {
    const arrayBuffer = new Uint8Array([5, 6]).buffer;
    const data = ['e', { a: Buffer.from('a'), b: [1, [new Uint8Array([1])]], c: { d: arrayBuffer } }, new Float64Array([0.5]), new DataView(new ArrayBuffer(2))];
    const { text, attachments } = encodeSocketPacket({ type: EVENT, nsp: '/', data });
    expect(text).toBe(`55-["e",{"a":${placeholder(0)},"b":[1,[${placeholder(1)}]],"c":{"d":${placeholder(2)}}},${placeholder(3)},${placeholder(4)}]`);
    expect(attachments).toEqual([Buffer.from('a'), Buffer.from([1]), Buffer.from([5, 6]), Buffer.from(new Float64Array([0.5]).buffer), Buffer.alloc(2)]);
    for (const attachment of attachments) expect(Buffer.isBuffer(attachment)).toBe(true);
  });

  it('hands out the caller\'s bytes without copying them', () => {
    const buffer = Buffer.from([1, 2, 3]);
    const arrayBuffer = new ArrayBuffer(4);
    const view = new Uint8Array(arrayBuffer, 1, 2);
    const { attachments } = encodeSocketPacket({ type: EVENT, nsp: '/', data: ['e', buffer, arrayBuffer, view] });
    expect(attachments[0]).toBe(buffer);
    new Uint8Array(arrayBuffer).set([10, 11, 12, 13]);
    expect([...attachments[1]]).toEqual([10, 11, 12, 13]);
    expect([...attachments[2]]).toEqual([11, 12]);
  });

  it('leaves the caller\'s objects alone, frozen or not', () => {
    const file = Buffer.from('x');
    const data = deepFreeze(['e', { file, nested: [new Uint8Array([7]), { deeper: 'text' }] }, 'after']);
    const { text } = encodeSocketPacket({ type: EVENT, nsp: '/', data });
    expect(text).toBe(`52-["e",{"file":${placeholder(0)},"nested":[${placeholder(1)},{"deeper":"text"}]},"after"]`);
    expect((data[1] as { file: unknown }).file).toBe(file);
    expect((data[1] as { nested: unknown[] }).nested[0]).toBeInstanceOf(Uint8Array);
  });

  it('reads the data once (plus JSON.stringify\'s own read) when there is no binary', () => {
    const reads = new Map<string, number>();
    const watched = new Proxy({ a: 1, b: { c: 'x' }, d: [1, 2] } as Record<string, unknown>, {
      get(target, key, receiver) {
        if (typeof key === 'string') reads.set(key, (reads.get(key) ?? 0) + 1);
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    expect(encodeSocketPacket({ type: EVENT, nsp: '/', data: ['e', watched] }).text).toBe('2["e",{"a":1,"b":{"c":"x"},"d":[1,2]}]');
    for (const key of ['a', 'b', 'd']) expect(reads.get(key)).toBe(2);
  });

  it('chooses the binary type from the data, whatever type it was given', () => {
    expect(encodeSocketPacket({ type: BINARY_EVENT, nsp: '/', data: ['e'] }).text).toBe('2["e"]');
    expect(encodeSocketPacket({ type: BINARY_ACK, nsp: '/', data: [], id: 0 }).text).toBe('30[]');
    expect(encodeSocketPacket({ type: EVENT, nsp: '/', data: ['e', new Uint8Array(0)] }).text).toBe(`51-["e",${placeholder(0)}]`);
  });

  it('does not look for binary in CONNECT, DISCONNECT or CONNECT_ERROR data', () => {
    const { text, attachments } = encodeSocketPacket({ type: CONNECT_ERROR, nsp: '/', data: { message: 'no', data: Buffer.from([1]) } });
    expect(attachments).toEqual([]);
    expect(text).toBe('4{"message":"no","data":{"type":"Buffer","data":[1]}}');
  });

  it('looks for binary in what toJSON returns, and leaves other toJSON values to JSON.stringify', () => {
    const upload = { toJSON: () => ({ name: 'f', bytes: Buffer.from([1]) }) };
    const when = new Date(0);
    const { text, attachments } = encodeSocketPacket({ type: EVENT, nsp: '/', data: ['e', upload, when] });
    expect(text).toBe(`51-["e",{"name":"f","bytes":${placeholder(0)}},"1970-01-01T00:00:00.000Z"]`);
    expect(attachments).toEqual([Buffer.from([1])]);
  });

  it('keeps a "__proto__" key as an ordinary key when it copies an object', () => {
    const record = JSON.parse('{"__proto__":{"x":1},"b":0}') as Record<string, unknown>;
    record.b = Buffer.from([1]);
    expect(encodeSocketPacket({ type: EVENT, nsp: '/', data: ['e', record] }).text).toBe(`51-["e",{"__proto__":{"x":1},"b":${placeholder(0)}}]`);
  });

  it('leaves out null data, as socket.io-parser does', () => {
    expect(encodeSocketPacket({ type: DISCONNECT, nsp: '/', data: null }).text).toBe('1');
  });

  it('refuses an object that reads as a placeholder beside real binary, where the client would swap in a Buffer', () => {
    const lookalike = { _placeholder: true, num: 0 };
    expect(() => encodeSocketPacket({ type: EVENT, nsp: '/', data: ['e', lookalike, Buffer.from([1])] })).toThrow(TypeError);
    // Without binary the client reads it as the plain object it is.
    expect(encodeSocketPacket({ type: EVENT, nsp: '/', data: ['e', lookalike] }).text).toBe(`2["e",${placeholder(0)}]`);
  });

  it.each<[string, SocketPacket]>([
    ['a namespace without a slash', { type: EVENT, nsp: 'admin', data: ['e'] }],
    ['an empty namespace', { type: EVENT, nsp: '', data: ['e'] }],
    ['a comma in the namespace', { type: EVENT, nsp: '/a,b', data: ['e'] }],
    ['the record separator in the namespace', { type: EVENT, nsp: '/a\x1e', data: ['e'] }],
    ['a negative ack id', { type: EVENT, nsp: '/', data: ['e'], id: -1 }],
    ['a fractional ack id', { type: EVENT, nsp: '/', data: ['e'], id: 1.5 }],
    ['NaN as ack id', { type: EVENT, nsp: '/', data: ['e'], id: NaN }],
    ['an unsafe ack id', { type: EVENT, nsp: '/', data: ['e'], id: 2 ** 53 }],
    ['data JSON cannot represent', { type: CONNECT, nsp: '/', data: () => undefined }],
    ['data nested too deeply', { type: EVENT, nsp: '/', data: ['e', JSON.parse('['.repeat(1001) + ']'.repeat(1001)) as unknown] }],
  ])('refuses %s with a TypeError', (_what, packet) => {
    expect(() => encodeSocketPacket(packet)).toThrow(TypeError);
  });

  it('refuses circular data with a TypeError, not a stack overflow', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => encodeSocketPacket({ type: EVENT, nsp: '/', data: ['e', loop] })).toThrow(TypeError);
  });
});

describe('Socket.IO 5 codec: the send(text) fast path', () => {
  it.each([
    ['/', 'hello'],
    ['/', ''],
    ['/', 'quotes " and \\ backslashes, \u2028, emoji 😀, NUL \u0000'],
    ['/chat', 'in a namespace'],
  ])('in %s writes exactly what the general encoder writes for %j', (nsp, text) => {
    expect(encodeMessageEvent(nsp, text)).toBe(encodeSocketPacket({ type: SocketPacketType.EVENT, nsp, data: ['message', text] }).text);
  });

  it('refuses a namespace the wire cannot carry, as the general encoder does', () => {
    expect(() => encodeMessageEvent('/a,b', 'x')).toThrow(TypeError);
  });
});

describe('Socket.IO 5 codec: decoding', () => {
  describe('spec examples and socket.io-protocol test-suite packets', () => {
    it.each<[string, SocketPacket]>([
      ['0', { type: CONNECT, nsp: '/' }],
      ['0{"token":"123"}', { type: CONNECT, nsp: '/', data: { token: '123' } }],
      ['0/custom,', { type: CONNECT, nsp: '/custom' }],
      ['0/custom', { type: CONNECT, nsp: '/custom' }],
      ['0/custom,{"token":"abc"}', { type: CONNECT, nsp: '/custom', data: { token: 'abc' } }],
      ['1', { type: DISCONNECT, nsp: '/' }],
      ['1/admin,', { type: DISCONNECT, nsp: '/admin' }],
      ['1/custom', { type: DISCONNECT, nsp: '/custom' }],
      ['2["foo"]', { type: EVENT, nsp: '/', data: ['foo'] }],
      ['2/admin,["bar"]', { type: EVENT, nsp: '/admin', data: ['bar'] }],
      ['2["message",1,"2",{"3":[true]}]', { type: EVENT, nsp: '/', data: ['message', 1, '2', { 3: [true] }] }],
      ['212["foo"]', { type: EVENT, nsp: '/', data: ['foo'], id: 12 }],
      ['2456["message-with-ack",1,"2",{"3":[false]}]', { type: EVENT, nsp: '/', data: ['message-with-ack', 1, '2', { 3: [false] }], id: 456 }],
      ['2/admin,1["tellme"]', { type: EVENT, nsp: '/admin', data: ['tellme'], id: 1 }],
      ['3/admin,13["bar"]', { type: ACK, nsp: '/admin', data: ['bar'], id: 13 }],
      ['30[]', { type: ACK, nsp: '/', data: [], id: 0 }],
    ])('%s', (text, packet) => {
      expect(decoder().add(text)).toEqual(packet);
    });

    it('52-["message",<0>,<1>] and its two attachments (the test suite\'s binary packet)', () => {
      const first = Buffer.from([1, 2, 3]);
      const second = Buffer.from([4, 5, 6]);
      const packet = decodeAll(`52-["message",${placeholder(0)},${placeholder(1)}]`, [first, second]);
      expect(packet).toEqual({ type: EVENT, nsp: '/', data: ['message', first, second] });
      expect((packet?.data as unknown[])[1]).toBe(first);
    });

    it('52-789[...] (a binary event with an ack id) and 61-15[...] (a binary ack)', () => {
      expect(decodeAll(`52-789["message-with-ack",${placeholder(0)},${placeholder(1)}]`, [Buffer.from([1]), Buffer.from([2])])).toEqual({
        type: EVENT,
        nsp: '/',
        data: ['message-with-ack', Buffer.from([1]), Buffer.from([2])],
        id: 789,
      });
      expect(decodeAll(`61-15["bar",${placeholder(0)}]`, [Buffer.from([1, 2, 3, 4])])).toEqual({ type: ACK, nsp: '/', data: ['bar', Buffer.from([1, 2, 3, 4])], id: 15 });
    });

    it.each([
      ['4abc (engine message "abc": unknown type)', 'abc'],
      ['42{} (invalid payload format)', '2{}'],
      ['42abc[...] (invalid ack id)', '2abc["message-with-ack",1,"2",{"3":[false]}]'],
    ])('refuses %s', (_what, text) => {
      expect(() => decoder().add(text)).toThrow(SocketDecodeError);
    });
  });

  it('waits for the attachments, then says it no longer waits', () => {
    const reader = decoder();
    expect(reader.awaitingAttachments).toBe(false);
    expect(reader.add(`52-["a",${placeholder(1)},{"x":${placeholder(0)}}]`)).toBeNull();
    expect(reader.awaitingAttachments).toBe(true);
    expect(reader.add(Buffer.from('zero'))).toBeNull();
    expect(reader.awaitingAttachments).toBe(true);
    expect(reader.add(Buffer.from('one'))).toEqual({ type: EVENT, nsp: '/', data: ['a', Buffer.from('one'), { x: Buffer.from('zero') }] });
    expect(reader.awaitingAttachments).toBe(false);
    expect(reader.add('2["next"]')).toEqual({ type: EVENT, nsp: '/', data: ['next'] });
  });

  it('forgets a half-received packet on reset()', () => {
    const reader = decoder();
    reader.add(`51-["a",${placeholder(0)}]`);
    reader.reset();
    expect(reader.awaitingAttachments).toBe(false);
    expect(() => reader.add(Buffer.from('late'))).toThrow(SocketDecodeError);
    expect(reader.add('2["fresh"]')).toEqual({ type: EVENT, nsp: '/', data: ['fresh'] });
  });

  it('refuses an attachment with no packet waiting for it', () => {
    const error = refusal(() => decoder().add(Buffer.from('x')));
    expect(error).toBeInstanceOf(SocketDecodeError);
    expect(error.message).toBe('a binary attachment with no packet waiting for it');
  });

  it('refuses a text packet while attachments are awaited, and still completes the awaited packet', () => {
    const reader = decoder();
    reader.add(`51-["a",${placeholder(0)}]`);
    const error = refusal(() => reader.add('2["b"]'));
    expect(error).toBeInstanceOf(SocketDecodeError);
    expect(error.message).toBe('a text packet while binary attachments were awaited');
    expect(reader.awaitingAttachments).toBe(true);
    expect(reader.add(Buffer.from('x'))).toEqual({ type: EVENT, nsp: '/', data: ['a', Buffer.from('x')] });
  });

  it.each([
    // type
    ['an empty packet', '', /empty packet/],
    ['type 7', '7["a"]', /unknown packet type "7"/],
    ['type 9', '9', /unknown packet type/],
    ['a letter as type', 'a["a"]', /unknown packet type "a"/],
    ['a slash as type', '/admin,["a"]', /unknown packet type/],
    ['CONNECT_ERROR from a client', '4{"message":"x"}', /CONNECT_ERROR/],
    ['CONNECT_ERROR with a string', '4"x"', /CONNECT_ERROR/],
    ['a bare CONNECT_ERROR', '4', /CONNECT_ERROR/],
    // attachment count
    ['a binary packet without a count', '5["a"]', /attachment count/],
    ['a binary packet with a dash and no count', `5-["a",${placeholder(0)}]`, /attachment count/],
    ['a count that is not a number', `5x-["a",${placeholder(0)}]`, /attachment count/],
    ['a count in exponent notation (socket.io-parser takes 1e1)', `51e1-["a"]`, /attachment count/],
    ['a count without its dash', `51["a",${placeholder(0)}]`, /attachment count/],
    ['a count of zero', '50-["a"]', /no attachments/],
    ['more attachments than allowed', '511-["a"]', /more than 10 attachments/],
    ['a count with a thousand digits', `5${'9'.repeat(1000)}-["a"]`, /more than 10 attachments/],
    ['a count on a text EVENT', '21-["a"]', /attachment count on a packet that is not binary/],
    ['a count on a text ACK', '31-1["a"]', /attachment count on a packet that is not binary/],
    ['a dash after the type of a text packet', '2-["a"]', /attachment count on a packet that is not binary/],
    // namespace
    ['a namespace without its slash', '2admin,["a"]', /namespace must start with "\/"/],
    ['a binary packet\'s namespace without its slash', `51-admin,["a",${placeholder(0)}]`, /namespace must start with "\/"/],
    ['a space before the data', '2 ["a"]', /namespace must start with "\/"/],
    // ack id
    ['an ack id of 17 digits', '212345678901234567["a"]', /ack id is not a safe integer/],
    ['an ack id of 16 digits above 2^53', '29007199254740993["a"]', /ack id is not a safe integer/],
    ['a negative ack id', '2/admin,-1["a"]', /attachment count on a packet that is not binary/],
    ['letters after the ack id', '212abc["a"]', /where the ack id or the data starts/],
    // JSON
    ['truncated JSON', '2["a"', /invalid JSON/],
    ['a trailing comma', '2["a",]', /invalid JSON/],
    ['unquoted keys', '0{a:1}', /invalid JSON/],
    ['trailing garbage', '2["a"]x', /invalid JSON/],
    ['a second JSON value', '2["a"]["b"]', /invalid JSON/],
    ['a second object on CONNECT', '0/admin,{}{}', /invalid JSON/],
    ['a string payload', '2"a"', /where a namespace, an ack id or the data starts/],
    ['null as payload', '0null', /namespace must start/],
    // payload shapes
    ['CONNECT with an array', '0[1]', /CONNECT data must be an object/],
    ['CONNECT with an ack id', '07', /CONNECT carries no ack id/],
    ['DISCONNECT with data', '1{"a":1}', /DISCONNECT carries no data/],
    ['DISCONNECT with data in a namespace', '1/admin,{}', /DISCONNECT carries no data/],
    ['DISCONNECT with an ack id', '112', /DISCONNECT carries no ack id/],
    ['EVENT without data', '2', /EVENT data/],
    ['EVENT with an ack id and no data', '212', /EVENT data/],
    ['EVENT with an object', '2{"a":1}', /EVENT data/],
    ['EVENT with an empty array', '2[]', /EVENT data/],
    ['EVENT named by a number (socket.io-parser takes it)', '2[1]', /EVENT data/],
    ['EVENT named by an object', '2[{"a":1}]', /EVENT data/],
    ['EVENT "connect"', '2["connect"]', /reserved/],
    ['EVENT "connect_error"', '2["connect_error"]', /reserved/],
    ['EVENT "disconnect"', '2["disconnect"]', /reserved/],
    ['EVENT "disconnecting"', '2["disconnecting"]', /reserved/],
    ['EVENT "newListener"', '2["newListener"]', /reserved/],
    ['EVENT "removeListener"', '2/admin,["removeListener"]', /reserved/],
    ['BINARY_EVENT with a reserved name', `51-["disconnect",${placeholder(0)}]`, /reserved/],
    ['ACK without an ack id', '3["x"]', /ACK without an ack id/],
    ['ACK without data', '312', /ACK data must be an array/],
    ['ACK with an object', '312{"a":1}', /ACK data must be an array/],
    ['BINARY_ACK without an ack id', `61-[${placeholder(0)}]`, /ACK without an ack id/],
    ['BINARY_EVENT with an object', `51-{"a":${placeholder(0)}}`, /EVENT data/],
    // placeholders, checked before any attachment arrives
    ['a placeholder beyond the count', `51-["a",${placeholder(1)}]`, /not one of the 1 attachments/],
    ['a negative placeholder', `51-["a",${placeholder(-1)}]`, /not one of/],
    ['a fractional placeholder', `51-["a",${placeholder(0.5)}]`, /not one of/],
    ['a placeholder numbered by a string', '51-["a",{"_placeholder":true,"num":"0"}]', /not one of/],
    ['a placeholder without a number', '51-["a",{"_placeholder":true}]', /not one of/],
    ['a placeholder used twice', `52-["a",${placeholder(0)},${placeholder(0)}]`, /referenced twice/],
    ['an attachment without a placeholder', `52-["a",${placeholder(0)}]`, /1 of 2 attachments have no placeholder/],
    ['a binary packet with no placeholder at all', '51-["a"]', /1 of 1 attachments have no placeholder/],
  ])('refuses %s', (_what, text, reason) => {
    const reader = decoder();
    const error = refusal(() => reader.add(text));
    expect(error).toBeInstanceOf(SocketDecodeError);
    expect(error.name).toBe('SocketDecodeError');
    expect(error.message).toMatch(reason);
    expect(reader.awaitingAttachments).toBe(false);
  });

  it('decodes the common EVENT with one JSON.parse and no regular expression', () => {
    const parse = jest.spyOn(JSON, 'parse');
    const exec = jest.spyOn(RegExp.prototype, 'exec');
    try {
      expect(decoder().add('2/chat,5["msg",{"a":[1,2]}]')).toEqual({ type: EVENT, nsp: '/chat', data: ['msg', { a: [1, 2] }], id: 5 });
      expect(parse).toHaveBeenCalledTimes(1);
      expect(exec).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
      exec.mockRestore();
    }
  });

  it('reads leading zeros in an ack id as socket.io-parser does', () => {
    expect(decoder().add('2012["a"]')).toEqual({ type: EVENT, nsp: '/', data: ['a'], id: 12 });
  });

  it('takes the largest safe ack id', () => {
    expect(decoder().add('29007199254740991["a"]')).toEqual({ type: EVENT, nsp: '/', data: ['a'], id: Number.MAX_SAFE_INTEGER });
  });

  it('takes exactly maxAttachments attachments', () => {
    const count = MAX_ATTACHMENTS;
    const text = `5${count}-["a",${Array.from({ length: count }, (_, num) => placeholder(num)).join(',')}]`;
    const buffers = Array.from({ length: count }, (_, num) => Buffer.from([num]));
    expect(decodeAll(text, buffers)).toEqual({ type: EVENT, nsp: '/', data: ['a', ...buffers] });
  });

  it('leaves placeholder-shaped objects in a text packet alone', () => {
    expect(decoder().add(`2["a",${placeholder(0)}]`)).toEqual({ type: EVENT, nsp: '/', data: ['a', { _placeholder: true, num: 0 }] });
  });

  it('fills a placeholder under a "__proto__" key as an own property, leaving the prototype alone', () => {
    const packet = decodeAll(`51-["a",{"__proto__":${placeholder(0)}}]`, [Buffer.from([1])]);
    const holder = (packet?.data as unknown[])[1] as Record<string, unknown>;
    expect(Object.getPrototypeOf(holder)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(holder, '__proto__')?.value).toEqual(Buffer.from([1]));
  });

  it('walks binary data nested deeper than the call stack without overflowing it', () => {
    const depth = 100_000;
    const text = `51-["a",${'['.repeat(depth)}${placeholder(0)}${']'.repeat(depth)}]`;
    const packet = decodeAll(text, [Buffer.from([7])]);
    let node = (packet?.data as unknown[])[1];
    for (let level = 0; level < depth; level++) node = (node as unknown[])[0];
    expect(node).toEqual(Buffer.from([7]));
    expect(() => decoder().add(`51-["a",${'['.repeat(depth)}${']'.repeat(depth)}]`)).toThrow(SocketDecodeError);
  });
});

describe('Socket.IO 5 codec: round trips', () => {
  it.each<[string, SocketPacket]>([
    ['CONNECT', { type: CONNECT, nsp: '/' }],
    ['CONNECT with auth', { type: CONNECT, nsp: '/admin', data: { token: 'x', nested: { list: [1, 'é😀'] } } }],
    ['DISCONNECT', { type: DISCONNECT, nsp: '/chat' }],
    ['EVENT', { type: EVENT, nsp: '/', data: ['a', 1, { b: [true, null] }, 'quote " and \\ and \x1e'] }],
    ['EVENT with an ack id', { type: EVENT, nsp: '/chat', data: ['a'], id: 7 }],
    ['ACK with id 0', { type: ACK, nsp: '/', data: [], id: 0 }],
    ['EVENT with binary in arrays and objects', { type: EVENT, nsp: '/', data: ['f', { x: Buffer.from('1') }, [Buffer.from('22'), [{ y: [Buffer.from('333')] }]]], id: 3 }],
    ['EVENT with an empty Buffer', { type: EVENT, nsp: '/up', data: ['f', Buffer.alloc(0)] }],
    ['EVENT with typed arrays and an ArrayBuffer', { type: EVENT, nsp: '/', data: ['f', new Uint16Array([1, 65535]), new Uint8Array([1, 2]).buffer, { v: new Int8Array([-1]) }] }],
    ['ACK with binary', { type: ACK, nsp: '/admin', data: [{ file: Buffer.from([0xff, 0]) }, 'done'], id: 42 }],
  ])('%s', (_what, packet) => {
    expect(roundTrip(packet)).toEqual(asDecoded(packet));
  });

  it('through Engine.IO: polling payload and websocket frames', () => {
    const packet: SocketPacket = { type: EVENT, nsp: '/chat', data: ['f', { x: Buffer.from([1, 2]) }, Buffer.from([3])], id: 9 };
    const { text, attachments } = encodeSocketPacket(packet);
    const enginePackets: EnginePacket[] = [{ type: 'message', data: text }, ...attachments.map((data) => ({ type: 'message' as const, data }))];

    const polled = decodePollingPayload(encodePollingPayload(enginePackets), 10);
    const overPolling = decoder();
    let fromPolling: SocketPacket | null = null;
    for (const enginePacket of polled) fromPolling = overPolling.add(enginePacket.data ?? '');
    expect(fromPolling).toEqual(packet);

    const overWebSocket = decoder();
    let fromWebSocket: SocketPacket | null = null;
    for (const enginePacket of enginePackets) {
      const frame = encodeForWebSocket(enginePacket);
      fromWebSocket = overWebSocket.add(decodeFromWebSocket(frame, typeof frame !== 'string').data ?? '');
    }
    expect(fromWebSocket).toEqual(packet);
  });
});

describe('withTextFrames', () => {
  test("gives text packets their whole websocket frame and leaves binary ones alone; the frame carries the packet's text", () => {
    const [text, binary, ping] = withTextFrames([{ type: 'message', data: '2["news","é"]' }, { type: 'message', data: Buffer.from([1, 2]) }, { type: 'ping' }]);
    const textBytes = Buffer.from('42["news","é"]');
    expect(text.webSocketFrame).toEqual(Buffer.concat([Buffer.from([0x81, textBytes.length]), textBytes]));
    expect(binary.webSocketFrame).toBeUndefined();
    expect(ping.webSocketFrame).toEqual(Buffer.from([0x81, 1, 0x32]));
    expect(encodeForWebSocket(text)).toBe('42["news","é"]');
    expect(encodeForWebSocket(binary)).toEqual(Buffer.from([1, 2]));
  });
});
