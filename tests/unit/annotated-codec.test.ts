import {
  decodeMessage,
  decodePayload,
  DISCONNECT_FRAME,
  encodeFrame,
  encodeHeartbeat,
  encodeMessageData,
  encodePacket,
  encodeSessionId,
  encodeValue,
  FrameType,
  interpretMessage,
  namespaceOf,
  realmOf,
} from '../../src/protocols/v06/annotated/codec';

// The golden strings are the examples of the seed fork's README ("Protocol" section) and its encoder's output.

describe("the seed README's examples", () => {
  it('0:0:, is a force disconnect, and what the server sends for one', () => {
    expect(DISCONNECT_FRAME).toBe('0:0:,');
    expect(decodePayload('0:0:,')).toEqual({ frames: [{ type: FrameType.Disconnect }] });
  });

  it('1:18:r:chat:Hello world, is "Hello world" in realm chat', () => {
    const { frames, error } = decodePayload('1:18:r:chat:Hello world,');
    expect(error).toBeUndefined();
    expect(frames).toEqual([{ type: FrameType.Message, data: 'r:chat:Hello world' }]);
    expect(interpretMessage('r:chat:Hello world')).toEqual({ ok: true, namespace: '/chat', json: false, text: 'Hello world' });
  });

  it('2:1:0, and 2:1:1, are heartbeats 0 and 1', () => {
    expect(encodeHeartbeat(0)).toBe('2:1:0,');
    expect(encodeHeartbeat(1)).toBe('2:1:1,');
    expect(encodeHeartbeat(10)).toBe('2:2:10,');
    expect(decodePayload('2:1:0,2:1:1,').frames).toEqual([
      { type: FrameType.Heartbeat, beat: '0' },
      { type: FrameType.Heartbeat, beat: '1' },
    ]);
  });

  it('j marks a JSON message, in the README form and the encoder form, with or without a realm', () => {
    for (const payload of ['1:16:r:chat\nj:{"a":1},', '1:17:r:chat\nj\n:{"a":1},']) {
      const { frames, error } = decodePayload(payload);
      expect(error).toBeUndefined();
      expect(frames).toHaveLength(1);
      const frame = frames[0];
      if (frame.type !== FrameType.Message) throw new Error(`expected a message frame, got type ${frame.type}`);
      expect(interpretMessage(frame.data)).toEqual({ ok: true, namespace: '/chat', json: true, text: '{"a":1}' });
    }
    expect(interpretMessage('j\n:{"a":1}')).toEqual({ ok: true, namespace: '/', json: true, text: '{"a":1}' });
  });

  it('r:chat\n:Hello world (a newline before the message) is the same message as r:chat:Hello world', () => {
    expect(decodePayload('1:19:r:chat\n:Hello world,').frames).toEqual([{ type: FrameType.Message, data: 'r:chat\n:Hello world' }]);
    expect(interpretMessage('r:chat\n:Hello world')).toEqual(interpretMessage('r:chat:Hello world'));
  });

  it('3:3:253, hands the client session id 253', () => {
    expect(encodeSessionId('253')).toBe('3:3:253,');
    expect(decodePayload('3:3:253,').frames).toEqual([{ type: FrameType.SessionId, id: '253' }]);
    expect(encodeSessionId('AbCdEfGhIjKlMnOpQrStUvWx')).toBe('3:24:AbCdEfGhIjKlMnOpQrStUvWx,');
  });
});

describe('encoding messages as the fork writes them', () => {
  it('ends every annotation line with \\n, then ":" and the message', () => {
    expect(encodeMessageData('Hello world', 'chat', false)).toBe('r:chat\n:Hello world');
    expect(encodeValue('Hello world', 'chat')).toBe('1:19:r:chat\n:Hello world,');
  });

  it('writes no annotation in /', () => {
    expect(encodeValue('hi', null)).toBe('1:3::hi,');
    expect(encodeValue('', null)).toBe('1:1::,');
  });

  it('marks JSON with j (no value), after the realm', () => {
    expect(encodeValue({ a: 1 }, null)).toBe('1:10:j\n:{"a":1},');
    expect(encodeValue({ a: 1 }, 'chat')).toBe('1:17:r:chat\nj\n:{"a":1},');
    expect(encodeValue([1, 2], 'chat')).toBe('1:15:r:chat\nj\n:[1,2],');
  });

  it('prints numbers and booleans as text, null as empty', () => {
    expect(encodeValue(42, null)).toBe('1:3::42,');
    expect(encodeValue(true, 'a')).toBe('1:9:r:a\n:true,');
    expect(encodeValue(null, null)).toBe('1:1::,');
  });

  it('refuses values JSON cannot carry rather than mark invalid JSON with j', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeValue(cyclic, null)).toThrow(TypeError);
    expect(() => encodeValue({ toJSON: () => undefined }, null)).toThrow(TypeError);
    expect(() => encodeValue(10n, null)).toThrow(TypeError);
  });

  it('sends a top-level array as one message per element, and an event as {name, args} JSON', () => {
    expect(encodePacket({ type: 'message', data: ['a', { b: 2 }] }, 'chat')).toEqual(['1:9:r:chat\n:a,', '1:17:r:chat\nj\n:{"b":2},']);
    expect(encodePacket({ type: 'event', name: 'news', args: [1, () => undefined] }, null)).toEqual(['1:29:j\n:{"name":"news","args":[1]},']);
  });
});

describe('length counts JavaScript string length (UTF-16 code units), never UTF-8 bytes', () => {
  const cases: Array<[string, string, string]> = [
    ['ASCII', 'hello', '1:6::hello,'],
    ['accented (2 UTF-8 bytes, 1 unit)', 'héllo', '1:6::héllo,'],
    ['CJK (3 UTF-8 bytes, 1 unit)', '中文', '1:3::中文,'],
    ['emoji (astral: 4 UTF-8 bytes, 2 units)', '😀', '1:3::😀,'],
    ['text that looks like frames', '1:1:x,', '1:7::1:1:x,,'],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(encodeValue(text, null)).toBe(expected);
    const { frames, error } = decodePayload(expected);
    expect(error).toBeUndefined();
    expect(frames).toEqual([{ type: FrameType.Message, data: `:${text}` }]);
  });

  it('reads a frame whose length counts bytes as a length mismatch', () => {
    const bytes = Buffer.byteLength(':😀');
    expect(decodePayload(`1:${bytes}::😀,`).error).toMatch(/does not match/);
  });

  it('counts the realm and annotations in the length', () => {
    expect(encodeFrame(FrameType.Message, 'r:café\n:ü')).toBe('1:9:r:café\n:ü,');
  });
});

describe('decoding payloads', () => {
  it('reads several frames back to back', () => {
    expect(decodePayload('2:1:3,1:3::hi,1:19:r:chat\n:Hello world,0:0:,').frames).toEqual([
      { type: FrameType.Heartbeat, beat: '3' },
      { type: FrameType.Message, data: ':hi' },
      { type: FrameType.Message, data: 'r:chat\n:Hello world' },
      { type: FrameType.Disconnect },
    ]);
  });

  it('keeps the frames before a fault, and names the fault', () => {
    expect(decodePayload('1:3::ok,9:1:x,')).toEqual({ frames: [{ type: FrameType.Message, data: ':ok' }], error: 'unknown frame type at offset 8' });
  });

  const faults: Array<[string, string, RegExp]> = [
    ['empty', '', /empty payload/],
    ['a length shorter than the data', '1:5::hello,', /length 5 does not match its data/],
    ['a length longer than the data', '1:9::hello,', /runs past the payload/],
    ['no terminating ","', '1:6::hello', /missing terminating ","/],
    ['a different terminator', '1:6::hello;', /no "," at offset 10/],
    ['an unknown type', '4:0:,', /unknown frame type/],
    ['a two-digit type', '12:0:,', /unknown frame type/],
    ['a type that is no digit', 'x:0:,', /expected a frame type digit/],
    ['no length', '1::hi,', /missing frame length/],
    ['a length that is no number', '1:a:hi,', /missing frame length/],
    ['a hostile length', `1:${'9'.repeat(40)}:x,`, /frame length too long/],
    ['no ":" after the length', '1:3,', /expected ":" after the frame length/],
    ['the ~m~ framing', '~m~5~m~hello', /expected a frame type digit/],
  ];
  it.each(faults)('refuses %s', (_name, payload, reason) => {
    expect(decodePayload(payload).error).toMatch(reason);
  });
});

describe('decoding message data: (annotations):(message)', () => {
  it("accepts the README's form and the encoder's (a newline before the message)", () => {
    for (const data of ['r:chat:Hello world', 'r:chat\n:Hello world']) {
      const message = decodeMessage(data);
      expect(message).toEqual({ annotations: new Map([['r', 'chat']]), text: 'Hello world' });
    }
  });

  it('reads no annotations when the data starts with ":"', () => {
    expect(decodeMessage(':a:b\nc')).toEqual({ annotations: new Map(), text: 'a:b\nc' });
  });

  it('reads key-only annotations, j included, in either form', () => {
    const expected = { annotations: new Map([['r', 'chat'], ['j', null]]), text: '{"a":1}' };
    expect(decodeMessage('r:chat\nj\n:{"a":1}')).toEqual(expected);
    expect(decodeMessage('r:chat\nj:{"a":1}')).toEqual(expected);
  });

  it('keeps unknown annotations (they are for extensions) and the message intact', () => {
    expect(decodeMessage('x:1\ny\nr:chat\n:a:b,c')).toEqual({
      annotations: new Map<string, string | null>([['x', '1'], ['y', null], ['r', 'chat']]),
      text: 'a:b,c',
    });
  });

  it('refuses data with no ":" before its message', () => {
    for (const data of ['', 'hello', 'r:chat', 'r:chat\n', 'r\nj\n']) expect(decodeMessage(data)).toMatch(/no ":" before its message/);
  });

  it('maps realms to namespaces and back', () => {
    expect(interpretMessage('j\n:[1]')).toEqual({ ok: true, namespace: '/', json: true, text: '[1]' });
    expect(interpretMessage('r:\n:x')).toEqual({ ok: true, namespace: '/', json: false, text: 'x' });
    expect(interpretMessage('nope')).toEqual({ ok: false, reason: 'message data has no ":" before its message' });
    expect(namespaceOf('chat')).toBe('/chat');
    expect(namespaceOf(null)).toBe('/');
    expect(realmOf('/chat')).toBe('chat');
    expect(realmOf('/')).toBeNull();
  });
});
