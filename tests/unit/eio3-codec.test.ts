/**
 * The Engine.IO 3 codec (socket.io-client 2.x's framing): golden strings
 * written from the engine.io-parser 2 format, the JSONP form and script
 * forms, every refusal, and a seeded fuzz of the decoders checked against
 * the real engine.io-parser 2.2.1 (the one socket.io-client 2.5.0 ships).
 */
import { EngineDecodeError, type EnginePacket } from '../../src/protocols/eio/engine-codec';
import {
  decodeBinaryPayload,
  decodeFromWebSocket,
  decodeTextPayload,
  encodeBinaryPayload,
  encodeForWebSocket,
  encodeTextPacket,
  encodeTextPayload,
} from '../../src/protocols/eio/v3/engine-codec';
import { jsonpFormPayload, jsonpIndexOf, jsonpScript } from '../../src/protocols/eio/v3/jsonp';
import { RequestError } from '../../src/errors';
import { seededRandom } from '../helpers/random';

interface ParserPacket {
  type: string;
  data?: string | Buffer;
}
type Each = (packet: ParserPacket, index: number, total: number) => boolean | void;
interface Parser2 {
  encodePayload(packets: ParserPacket[], supportsBinary: boolean, callback: (encoded: string | Buffer) => void): void;
  decodePayload(data: string | Buffer, binaryType: null, callback: Each): void;
}
// The real engine.io-parser 2, nested under socket.io-client-v2: the oracle for what a 2.x client reads and writes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parser2 = require('socket.io-client-v2/node_modules/engine.io-parser') as Parser2;

/** What engine.io-parser 2 decodes from a payload, or 'error' when it drops the payload. */
function parserDecodes(data: string | Buffer): ParserPacket[] | 'error' {
  const packets: ParserPacket[] = [];
  let failed = false;
  parser2.decodePayload(data, null, (packet) => {
    if (packet.type === 'error') failed = true;
    else packets.push(packet);
  });
  return failed ? 'error' : packets;
}

function parserEncodes(packets: ParserPacket[], supportsBinary: boolean): string | Buffer {
  let out: string | Buffer | null = null;
  parser2.encodePayload(packets, supportsBinary, (encoded) => (out = encoded));
  if (out === null) throw new Error('engine.io-parser did not answer synchronously');
  return out;
}

const bytes = (...values: number[]): Buffer => Buffer.from(values);
const MAX = 100;

describe('EIO3 text payloads: <length>:<packet>, the length in UTF-16 code units', () => {
  it('encodes the golden strings', () => {
    expect(encodeTextPayload([{ type: 'message', data: 'hello' }])).toBe('6:4hello');
    expect(encodeTextPayload([{ type: 'ping' }, { type: 'noop' }])).toBe('1:21:6');
    expect(encodeTextPayload([{ type: 'open', data: '{"sid":"a"}' }, { type: 'message', data: '0' }])).toBe('12:0{"sid":"a"}2:40');
    // é is one code unit, 😀 two (a surrogate pair), 中 one: the length is JavaScript's .length, not bytes.
    expect(encodeTextPayload([{ type: 'message', data: 'é😀中' }])).toBe('5:4é😀中');
    expect(encodeTextPayload([{ type: 'message', data: '2["x","😀😀"]' }])).toBe('14:42["x","😀😀"]');
    // Binary to a client that cannot read it: `b4` + base64, counted as text.
    expect(encodeTextPayload([{ type: 'message', data: bytes(1, 2, 3) }, { type: 'message', data: '1' }])).toBe('6:b4AQID2:41');
    expect(encodeTextPacket({ type: 'message', data: Buffer.alloc(0) })).toBe('b4');
  });

  it('encodes exactly what engine.io-parser 2 encodes', () => {
    const packets: EnginePacket[] = [{ type: 'open', data: '{"sid":"x"}' }, { type: 'message', data: '2["a","😀\u2028"]' }, { type: 'message', data: bytes(0, 255) }, { type: 'pong', data: 'probe' }];
    expect(encodeTextPayload(packets)).toBe(parserEncodes(packets.map((packet) => ({ ...packet })), false));
  });

  it('decodes the golden strings, astral characters included', () => {
    expect(decodeTextPayload('6:4hello', MAX)).toEqual([{ type: 'message', data: 'hello' }]);
    expect(decodeTextPayload('5:4é😀中1:2', MAX)).toEqual([{ type: 'message', data: 'é😀中' }, { type: 'ping' }]);
    expect(decodeTextPayload('6:b4AQID', MAX)).toEqual([{ type: 'message', data: bytes(1, 2, 3) }]);
    expect(decodeTextPayload('2:b4', MAX)).toEqual([{ type: 'message', data: Buffer.alloc(0) }]);
    // engine.io-parser sends `0:` for an empty payload and skips such a record.
    expect(decodeTextPayload('0:1:6', MAX)).toEqual([{ type: 'noop' }]);
    expect(decodeTextPayload('0:', MAX)).toEqual([]);
  });

  it.each([
    ['', 'empty payload'],
    ['5:4hello', 'does not start with <length>:'], // one short: the `o` left over is no length
    ['7:4hello', 'runs past the end'],
    ['6:4hello3', 'does not start with <length>:'],
    [':4hello', 'does not start with <length>:'],
    ['x:4', 'does not start with <length>:'],
    ['-1:4', 'does not start with <length>:'],
    ['1e1:4hello....', 'does not start with <length>:'],
    ['99999999999:4', 'too many digits'],
    ['1:9', 'unknown packet type'],
    ['1:x', 'unknown packet type'],
    ['3:b2a', 'not a message'],
    ['5:b4A!=', 'not valid base64'],
    ['2:😀', 'unknown packet type'],
  ])('refuses %j with an EngineDecodeError (%s), as engine.io-parser drops it', (body, reason) => {
    expect(() => decodeTextPayload(body, MAX)).toThrow(EngineDecodeError);
    expect(() => decodeTextPayload(body, MAX)).toThrow(reason);
  });

  it('refuses more packets than the limit', () => {
    expect(decodeTextPayload('1:2'.repeat(3), 3)).toHaveLength(3);
    expect(() => decodeTextPayload('1:2'.repeat(4), 3)).toThrow('more than 3 packets');
  });
});

describe('EIO3 binary payloads (XHR2 polling, application/octet-stream)', () => {
  // A text record: 0, the UTF-8 byte length as one byte per digit, 255, the UTF-8 text.
  // A binary record: 1, the length of type byte + data, 255, the type byte 4, the data.
  // '4é😀中ab' is 1 + 2 + 4 + 3 + 2 = 12 UTF-8 bytes: the digit bytes 1, 2.
  const golden = Buffer.concat([bytes(0, 2, 255), Buffer.from('42'), bytes(1, 4, 255, 4, 1, 2, 3), bytes(0, 1, 2, 255), Buffer.from('4é😀中ab'), bytes(0, 1, 255, 0x32)]);
  const packets: EnginePacket[] = [{ type: 'message', data: '2' }, { type: 'message', data: bytes(1, 2, 3) }, { type: 'message', data: 'é😀中ab' }, { type: 'ping' }];

  it('encodes the golden bytes, text lengths in UTF-8 bytes, as engine.io-parser 2 does', () => {
    expect(encodeBinaryPayload(packets)).toEqual(golden);
    expect(encodeBinaryPayload(packets)).toEqual(parserEncodes(packets.map((packet) => ({ ...packet })), true));
  });

  it('decodes the golden bytes, and what engine.io-parser 2 writes', () => {
    expect(decodeBinaryPayload(golden, MAX)).toEqual(packets);
    const fromParser = parserEncodes([{ type: 'message', data: '2["up",{"_placeholder":true,"num":0}]' }, { type: 'message', data: Buffer.alloc(300, 7) }], true) as Buffer;
    expect(decodeBinaryPayload(fromParser, MAX)).toEqual([
      { type: 'message', data: '2["up",{"_placeholder":true,"num":0}]' },
      { type: 'message', data: Buffer.alloc(300, 7) },
    ]);
  });

  it.each([
    [Buffer.alloc(0), 'empty payload'],
    [bytes(2, 1, 255, 0x32), 'neither text (0) nor binary (1)'],
    [bytes(0, 255, 0x32), 'without a length'],
    [bytes(0, 1), 'without a length'],
    [bytes(0, 10, 255, 0x32), 'is not a digit'],
    [bytes(0, 3, 255, 0x34), 'runs past the end'],
    [bytes(1, 2, 255, 2, 9), 'only a message (4) carries binary'],
    [bytes(1, 0, 255), 'empty binary packet'],
    [bytes(0, 2, 255, 0x34, 0xff), 'not valid UTF-8'],
    [bytes(0, 1, 255, 0x39), 'unknown packet type'],
    [Buffer.concat([bytes(0), Buffer.alloc(11, 9), bytes(255)]), 'too many digits'],
  ])('refuses %j with an EngineDecodeError (%s)', (body, reason) => {
    expect(() => decodeBinaryPayload(body, MAX)).toThrow(EngineDecodeError);
    expect(() => decodeBinaryPayload(body, MAX)).toThrow(reason);
  });
});

describe('EIO3 websocket frames', () => {
  it('sends binary as a frame led by the type byte 4, or as b4 text to a b64=1 client', () => {
    expect(encodeForWebSocket({ type: 'message', data: bytes(9, 8) }, false)).toEqual(bytes(4, 9, 8));
    expect(encodeForWebSocket({ type: 'message', data: bytes(9, 8) }, true)).toBe('b4CQg=');
    expect(encodeForWebSocket({ type: 'pong', data: 'probe' }, false)).toBe('3probe');
    expect(() => encodeForWebSocket({ type: 'ping', data: bytes(1) }, false)).toThrow(TypeError);
  });

  it('reads a binary frame, a b4 text frame and a text frame; refuses the rest', () => {
    expect(decodeFromWebSocket(bytes(4, 1, 2), true)).toEqual({ type: 'message', data: bytes(1, 2) });
    expect(decodeFromWebSocket(Buffer.from('b4AQI='), false)).toEqual({ type: 'message', data: bytes(1, 2) });
    expect(decodeFromWebSocket(Buffer.from('2probe'), false)).toEqual({ type: 'ping', data: 'probe' });
    for (const [frame, isBinary] of [[bytes(2, 1), true], [Buffer.alloc(0), true], [Buffer.alloc(0), false], [Buffer.from('7'), false]] as const) {
      expect(() => decodeFromWebSocket(frame, isBinary)).toThrow(EngineDecodeError);
    }
  });
});

describe('EIO3 JSONP', () => {
  it('answers a poll as ___eio[N]("...") with U+2028/U+2029 escaped', () => {
    expect(jsonpScript('0', '6:4hello')).toBe('___eio[0]("6:4hello");');
    expect(jsonpScript('12', '3:4"\n')).toBe('___eio[12]("3:4\\"\\n");');
    expect(jsonpScript('1', '3:4\u2028\u2029')).toBe('___eio[1]("3:4\\u2028\\u2029");');
    // What the page runs gets the payload back exactly.
    const payload = '9:4</script>2:4😀';
    const calls: string[] = [];
    new Function('___eio', jsonpScript('3', payload))({ 3: (text: string) => calls.push(text) });
    expect(calls).toEqual([payload]);
  });

  it('reads the d field of a form post, undoing the client\'s newline escapes', () => {
    // engine.io-client 3 writes a newline as `\n` (backslash n) and a `\n` already in the text as `\\n`.
    expect(jsonpFormPayload('d=6%3A4hello')).toBe('6:4hello');
    expect(jsonpFormPayload(`d=${encodeURIComponent('3:4a\\nb')}`)).toBe('3:4a\nb');
    expect(jsonpFormPayload(`d=${encodeURIComponent('5:4a\\\\nb')}`)).toBe('5:4a\\nb');
    expect(jsonpFormPayload(`d=${encodeURIComponent('7:4\\n\\\\n\\n')}`)).toBe('7:4\n\\n\n');
    expect(jsonpFormPayload('d=1%3A2+x')).toBe('1:2 x');
    expect(() => jsonpFormPayload('data=1%3A2')).toThrow(RequestError);
  });

  it('round-trips any text through the client\'s escaping', () => {
    // The client's escaping, as engine.io-client 3's polling-jsonp writes it: `\n` → `\\\n`, then newlines → `\n`.
    const clientEscapes = (text: string) => text.replace(/\\n/g, '\\\n').replace(/\n/g, '\\n');
    const random = seededRandom(23);
    const alphabet = ['\\', 'n', '\n', '\r', 'a', '😀', '&', '='];
    for (let run = 0; run < 500; run++) {
      let text = '';
      for (let i = Math.floor(random() * 12); i > 0; i--) text += alphabet[Math.floor(random() * alphabet.length)];
      // A backslash right before a newline is the one text the escaping cannot carry (next test).
      if (text.includes('\\\n')) continue;
      const form = new URLSearchParams({ d: clientEscapes(text) }).toString();
      expect(jsonpFormPayload(form)).toBe(text);
    }
  });

  it('reads a backslash before a newline back as backslash n, as engine.io 3 does (the escaping is ambiguous there)', () => {
    // The client writes `\` + newline as `\\n`, which is also how it writes a literal `\n`.
    expect(jsonpFormPayload(`d=${encodeURIComponent('3:4\\\\n')}`)).toBe('3:4\\n');
  });

  it('takes a 1-6 digit index and refuses anything else', () => {
    expect(jsonpIndexOf(new URLSearchParams('j=0'))).toBe('0');
    expect(jsonpIndexOf(new URLSearchParams('j=123456'))).toBe('123456');
    expect(jsonpIndexOf(new URLSearchParams('EIO=3'))).toBeNull();
    for (const bad of ['', 'abc', '1234567', '-1', '1;alert(1)', '0x1']) {
      expect(() => jsonpIndexOf(new URLSearchParams({ j: bad }))).toThrow(RequestError);
    }
  });
});

describe('EIO3 decoder fuzz (seeded), against engine.io-parser 2', () => {
  const CHARS = ['0', '1', '2', '3', '4', '6', '9', ':', 'b', 'A', 'Q', '=', '/', '+', 'é', '😀', '\ud800', '中', '"', '[', ']', 'x'];

  function pick<T>(random: () => number, items: readonly T[]): T {
    return items[Math.floor(random() * items.length)];
  }

  function randomText(random: () => number, max: number): string {
    let out = '';
    for (let i = Math.floor(random() * max); i > 0; i--) out += pick(random, CHARS);
    return out;
  }

  function randomPackets(random: () => number): EnginePacket[] {
    return Array.from({ length: 1 + Math.floor(random() * 4) }, (): EnginePacket => {
      if (random() < 0.3) return { type: 'message', data: Buffer.from(Array.from({ length: Math.floor(random() * 8) }, () => Math.floor(random() * 256))) };
      const data = randomText(random, 10).replace(/[\ud800-\udfff]/g, 'x');
      return { type: pick(random, ['message', 'ping', 'pong', 'noop'] as const), data: data === '' ? undefined : data };
    }).map((packet) => (packet.data === undefined ? { type: packet.type } : packet));
  }

  function decodeOrError<T>(decode: () => T): T | 'error' {
    try {
      return decode();
    } catch (error) {
      // Only the decode error: anything else would be a crash the session does not catch.
      expect(error).toBeInstanceOf(EngineDecodeError);
      return 'error';
    }
  }

  it('text payloads: valid ones round-trip; a mutated one throws only EngineDecodeError, and what it accepts engine.io-parser 2 reads the same', () => {
    const random = seededRandom(0xe103);
    let accepted = 0;
    for (let run = 0; run < 3000; run++) {
      const packets = randomPackets(random);
      const body = encodeTextPayload(packets);
      expect(decodeTextPayload(body, MAX)).toEqual(packets);
      const at = Math.floor(random() * (body.length + 1));
      const mutated = [body.slice(0, at), body.slice(0, at) + randomText(random, 3) + body.slice(at), body.slice(0, at) + pick(random, CHARS) + body.slice(at + 1), randomText(random, 12)][Math.floor(random() * 4)];
      const ours = decodeOrError(() => decodeTextPayload(mutated, MAX));
      if (ours === 'error') continue;
      accepted++;
      expect(parserDecodes(mutated)).toEqual(ours);
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it('binary payloads: valid ones round-trip; mutated bytes throw only EngineDecodeError, and what they accept engine.io-parser 2 reads the same', () => {
    const random = seededRandom(0xb1a3);
    let accepted = 0;
    for (let run = 0; run < 3000; run++) {
      const packets = randomPackets(random);
      const body = encodeBinaryPayload(packets);
      expect(decodeBinaryPayload(body, MAX)).toEqual(packets);
      const mutated = Buffer.from(body);
      for (let flips = 1 + Math.floor(random() * 2); flips > 0; flips--) mutated[Math.floor(random() * mutated.length)] = pick(random, [0, 1, 2, 4, 9, 10, 255, 0x34, Math.floor(random() * 256)]);
      const cut = random() < 0.3 ? mutated.subarray(0, Math.floor(random() * mutated.length)) : mutated;
      const ours = decodeOrError(() => decodeBinaryPayload(cut, MAX));
      if (ours === 'error') continue;
      accepted++;
      expect(parserDecodes(cut)).toEqual(ours);
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it('websocket frames: random text and bytes throw only EngineDecodeError', () => {
    const random = seededRandom(0x3e10);
    for (let run = 0; run < 3000; run++) {
      const isBinary = random() < 0.5;
      const frame = isBinary ? Buffer.from(Array.from({ length: Math.floor(random() * 6) }, () => pick(random, [4, 2, 0, 255]))) : Buffer.from(randomText(random, 8));
      const ours = decodeOrError(() => decodeFromWebSocket(frame, isBinary));
      if (ours !== 'error') expect(ours.type).toMatch(/^(open|close|ping|pong|message|upgrade|noop)$/);
    }
  });
});
