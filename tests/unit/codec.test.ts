import {
  decodePayload,
  encodeFrame,
  encodeHeartbeat,
  encodeMessageText,
  encodeOutgoing,
  interpretMessage,
} from '../../src/protocols/v06/codec';

describe('encodeFrame: length in UTF-16 code units, as the 0.6 client counts', () => {
  const cases: Array<[string, string, string]> = [
    ['ASCII', 'hello', '~m~5~m~hello'],
    ['empty', '', '~m~0~m~'],
    ['CJK (3 UTF-8 bytes, 1 unit each)', '中文字', '~m~3~m~中文字'],
    ['emoji (astral: 2 units, 4 bytes)', '😀', '~m~2~m~😀'],
    ['combining mark (2 code points)', 'e\u0301', '~m~2~m~e\u0301'],
    ['mixed', 'a😀中', '~m~4~m~a😀中'],
    ['text that looks like a frame', '~m~1~m~x', '~m~8~m~~m~1~m~x'],
  ];
  it.each(cases)('%s', (_name, data, expected) => {
    expect(encodeFrame(data)).toBe(expected);
  });

  it('never uses the UTF-8 byte length', () => {
    const data = 'é😀';
    expect(Buffer.byteLength(data)).toBe(6);
    expect(encodeFrame(data)).toBe('~m~3~m~é😀');
  });
});

describe('encodeMessageText / encodeOutgoing', () => {
  it('sends strings as is', () => {
    expect(encodeOutgoing('hi')).toEqual(['~m~2~m~hi']);
  });

  it('sends objects as ~j~ JSON', () => {
    expect(encodeOutgoing({ a: 1, b: 'é' })).toEqual(['~m~18~m~~j~{"a":1,"b":"é"}']);
  });

  it('sends each element of a top-level array as its own message', () => {
    expect(encodeOutgoing(['a', { b: 2 }, [1, 2]])).toEqual(['~m~1~m~a', '~m~10~m~~j~{"b":2}', '~m~8~m~~j~[1,2]']);
  });

  it('prints numbers and booleans as the client would, null as empty', () => {
    expect(encodeMessageText(42)).toBe('42');
    expect(encodeMessageText(true)).toBe('true');
    expect(encodeMessageText(null)).toBe('');
    expect(encodeMessageText(undefined)).toBe('');
  });

  it('refuses values JSON cannot represent rather than send invalid JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeMessageText(cyclic)).toThrow(TypeError);
    expect(() => encodeMessageText({ toJSON: () => undefined })).toThrow(TypeError);
    expect(() => encodeMessageText(10n)).toThrow(TypeError);
    expect(() => encodeMessageText(Symbol('x'))).toThrow(TypeError);
  });

  it('encodes heartbeats', () => {
    expect(encodeHeartbeat(1)).toBe('~m~4~m~~h~1');
    expect(encodeHeartbeat(12)).toBe('~m~5~m~~h~12');
  });
});

describe('decodePayload', () => {
  it('decodes one frame', () => {
    expect(decodePayload('~m~5~m~hello')).toEqual({ messages: ['hello'] });
  });

  it('decodes several frames in one payload', () => {
    expect(decodePayload('~m~1~m~a~m~4~m~~h~3~m~2~m~😀~m~0~m~')).toEqual({ messages: ['a', '~h~3', '😀', ''] });
  });

  it('round-trips every kind of text', () => {
    const texts = ['', 'ascii', '中文', '😀👍🏽', 'e\u0301', '~m~5~m~', '\u2028\u2029', 'line\nbreak', '\0'];
    expect(decodePayload(texts.map(encodeFrame).join('')).messages).toEqual(texts);
  });

  it.each([
    ['empty payload', '', 'empty payload'],
    ['no marker', 'hello', 'expected "~m~"'],
    ['non-digit length', '~m~x~m~a', 'missing frame length'],
    ['enormous length field', `~m~${'9'.repeat(40)}~m~a`, 'too long'],
    ['length beyond the data', '~m~10~m~abc', 'truncated'],
    ['missing second marker', '~m~3abc', 'after frame length'],
    ['negative length', '~m~-1~m~a', 'missing frame length'],
  ])('reports %s and keeps nothing invented', (_name, payload, error) => {
    const result = decodePayload(payload);
    expect(result.messages).toEqual([]);
    expect(result.error).toContain(error);
  });

  it('keeps the good frames before a bad one', () => {
    const result = decodePayload('~m~2~m~ok~m~9~m~short');
    expect(result.messages).toEqual(['ok']);
    expect(result.error).toContain('truncated');
  });

  it('reports trailing garbage after valid frames', () => {
    const result = decodePayload('~m~2~m~okjunk');
    expect(result.messages).toEqual(['ok']);
    expect(result.error).toContain('offset 9');
  });
});

describe('interpretMessage', () => {
  it('tells heartbeats, JSON and text apart', () => {
    expect(interpretMessage('~h~7')).toEqual({ kind: 'heartbeat', beat: '7' });
    expect(interpretMessage('~j~{"a":[1]}')).toEqual({ kind: 'json', value: { a: [1] } });
    expect(interpretMessage('plain')).toEqual({ kind: 'text', text: 'plain' });
  });

  it('reports invalid JSON instead of throwing', () => {
    const result = interpretMessage('~j~{nope');
    expect(result.kind).toBe('invalid');
  });
});
