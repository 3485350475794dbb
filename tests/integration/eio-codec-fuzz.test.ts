/**
 * Seeded fuzzing of the Engine.IO 4 and Socket.IO 5 codecs: random packets
 * must survive encode then decode unchanged, and random or mutated input
 * must decode to a well-formed packet or be refused with the codec's own
 * error, never anything else, in bounded time. Reproduce a failure with
 * FUZZ_SEED=<seed>.
 */
import {
  decodeFromWebSocket,
  decodePollingPayload,
  EngineDecodeError,
  encodeForWebSocket,
  encodePollingPayload,
  type EnginePacket,
} from '../../src/protocols/eio/engine-codec';
import { encodeSocketPacket, SocketDecodeError, SocketPacketDecoder, SocketPacketType, type SocketPacket } from '../../src/protocols/eio/socket-codec';
import assert from 'node:assert/strict';
import { seededRandom } from '../helpers/random';

const SEED = Number(process.env.FUZZ_SEED ?? 0xe10c0de);
const MAX_ATTACHMENTS = 8;
const MAX_PACKETS = 8;
const ENGINE_TYPES: ReadonlySet<string> = new Set(['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop']);
const RESERVED_EVENTS: ReadonlySet<string> = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

/** Characters that matter to one of the two grammars, and some that matter to neither. */
const HOSTILE = ['0', '1', '2', '3', '4', '5', '6', '7', '9', '-', '/', ',', '[', ']', '{', '}', '"', ':', '\\', 'b', '=', '+', '\x1e', ' ', 'é', '😀', '\ud800', '\0', '_placeholder', 'num', 'true', 'null', 'AQID'];
const TEXT_CHARS = ['a', 'z', ' ', '"', '\\', '/', ',', '-', '\x1e', '\n', '\0', 'é', '中', '😀', '\ud800', '\u2028', '{', '['];

interface Fuzzer {
  random: () => number;
  int: (below: number) => number;
  pick: <T>(items: readonly T[]) => T;
}

function fuzzer(seed: number): Fuzzer {
  const random = seededRandom(seed);
  const int = (below: number) => Math.floor(random() * below);
  return { random, int, pick: (items) => items[int(items.length)] };
}

function text(f: Fuzzer, max: number): string {
  let out = '';
  for (let length = f.int(max); length > 0; length--) out += f.pick(TEXT_CHARS);
  return out;
}

function binary(f: Fuzzer): ArrayBuffer | ArrayBufferView {
  const bytes = Uint8Array.from({ length: f.int(40) }, () => f.int(256));
  switch (f.int(5)) {
    case 0:
      return Buffer.from(bytes);
    case 1:
      return bytes;
    case 2:
      return bytes.buffer;
    case 3:
      // A view into the middle of a larger buffer.
      return new Uint8Array(bytes.buffer, Math.min(1, bytes.length), Math.max(0, bytes.length - 2));
    default:
      return new Float32Array([f.random(), -f.int(1000)]);
  }
}

/** A value JSON carries unchanged (no undefined, -0 or NaN), with binaries when `withBinary`. */
function value(f: Fuzzer, depth: number, withBinary: boolean): unknown {
  const roll = f.int(depth > 3 ? 6 : 9);
  switch (roll) {
    case 0:
      return text(f, 12);
    case 1:
      return f.int(2) === 0 ? f.int(1e6) - 5e5 || 1 : f.random() * 1e9 || 0.5;
    case 2:
      return f.random() < 0.5;
    case 3:
      return null;
    case 4:
    case 5:
      return withBinary && f.random() < 0.4 ? binary(f) : text(f, 4);
    case 6:
    case 7:
      return Array.from({ length: f.int(4) }, () => value(f, depth + 1, withBinary));
    default: {
      const record: Record<string, unknown> = {};
      for (let count = f.int(4); count > 0; count--) record[f.pick(['a', 'b', 'é', 'num', 'type', 'data', '0', ''])] = value(f, depth + 1, withBinary);
      return record;
    }
  }
}

function eventName(f: Fuzzer): string {
  const name = f.pick(['message', 'chat', 'é', '', 'upload', text(f, 6)]);
  return RESERVED_EVENTS.has(name) ? 'renamed' : name;
}

function randomPacket(f: Fuzzer): SocketPacket {
  const nsp = f.pick(['/', '/', '/admin', '/chat/room', '/é']);
  const id = f.random() < 0.3 ? f.int(1e6) : undefined;
  const args = () => Array.from({ length: f.int(4) }, () => value(f, 1, true));
  switch (f.int(5)) {
    case 0:
      return f.random() < 0.5 ? { type: SocketPacketType.CONNECT, nsp } : { type: SocketPacketType.CONNECT, nsp, data: { token: text(f, 8), n: f.int(9) } };
    case 1:
      return { type: SocketPacketType.DISCONNECT, nsp };
    case 2:
      return { type: SocketPacketType.ACK, nsp, data: args(), id: id ?? 0 };
    default: {
      const packet: SocketPacket = { type: SocketPacketType.EVENT, nsp, data: [eventName(f), ...args()] };
      if (id !== undefined) packet.id = id;
      return packet;
    }
  }
}

/** Every binary as the decoder hands it back: a Buffer of the same bytes. */
function asDecoded(item: unknown): unknown {
  if (item instanceof ArrayBuffer) return Buffer.from(item);
  if (ArrayBuffer.isView(item)) return Buffer.from(item.buffer, item.byteOffset, item.byteLength);
  if (Array.isArray(item)) return item.map(asDecoded);
  if (typeof item === 'object' && item !== null) return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, asDecoded(inner)]));
  return item;
}

function mutate(f: Fuzzer, input: string): string {
  let out = input;
  for (let edits = 1 + f.int(3); edits > 0; edits--) {
    const at = f.int(out.length + 1);
    switch (f.int(7)) {
      case 0:
        out = out.slice(0, at); // truncate
        break;
      case 1:
        out = out.slice(0, at) + f.pick(HOSTILE) + out.slice(at + 1); // replace a character
        break;
      case 2:
        out = out.slice(0, at) + f.pick(HOSTILE) + out.slice(at); // insert
        break;
      case 3:
        out = out.slice(0, at) + out.slice(at + 1 + f.int(3)); // delete
        break;
      case 4:
        out = out.replace(/\d+/, f.pick(['', '0', '99999999999999999999', '1e1', '-1', '9007199254740993', String(f.int(20))])); // numbers
        break;
      case 5:
        out += out.slice(0, at); // trailing garbage
        break;
      default:
        out = out.slice(0, at) + `{"_placeholder":true,"num":${f.int(4) - 1}}` + out.slice(at); // a placeholder anywhere
    }
  }
  return out;
}

/** What a decoded packet must look like, whatever came in. */
function checkSocketPacket(packet: SocketPacket, input: string): void {
  const fail = (why: string) => {
    throw new Error(`${JSON.stringify(input)} decoded to a packet where ${why}: ${JSON.stringify(packet)}`);
  };
  for (const key of Object.keys(packet)) if (!['type', 'nsp', 'data', 'id'].includes(key)) fail(`"${key}" is set`);
  if (typeof packet.nsp !== 'string' || !packet.nsp.startsWith('/') || packet.nsp.includes(',')) fail('the namespace is malformed');
  if (packet.id !== undefined && !(Number.isSafeInteger(packet.id) && packet.id >= 0)) fail('the ack id is malformed');
  const { data } = packet;
  switch (packet.type) {
    case SocketPacketType.CONNECT:
      if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) fail('CONNECT data is not an object');
      if (packet.id !== undefined) fail('CONNECT has an ack id');
      return;
    case SocketPacketType.DISCONNECT:
      if (data !== undefined || packet.id !== undefined) fail('DISCONNECT carries something');
      return;
    case SocketPacketType.EVENT:
      if (!Array.isArray(data) || typeof data[0] !== 'string' || RESERVED_EVENTS.has(data[0])) fail('EVENT data is malformed');
      return;
    case SocketPacketType.ACK:
      if (!Array.isArray(data) || packet.id === undefined) fail('ACK is malformed');
      return;
    default:
      fail('the type is not one a client may send, or is a BINARY_ type');
  }
}

function checkEnginePacket(packet: EnginePacket, input: string): void {
  const ok =
    ENGINE_TYPES.has(packet.type) &&
    (packet.data === undefined || typeof packet.data === 'string' || (Buffer.isBuffer(packet.data) && packet.type === 'message')) &&
    Object.keys(packet).every((key) => key === 'type' || key === 'data');
  if (!ok) throw new Error(`${JSON.stringify(input)} decoded to a malformed engine packet: ${String(packet.type)}`);
}

/** Runs `decode`: a value, or the expected error class; anything else fails with the input that caused it. */
function attempt<T>(decode: () => T, expected: new (...args: never[]) => Error, input: unknown): T | Error {
  try {
    return decode();
  } catch (error) {
    if (error instanceof expected) return error;
    throw new Error(`${JSON.stringify(input)} threw ${String(error)}`);
  }
}

function timed(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

describe(`Engine.IO / Socket.IO codec fuzz (seed ${SEED})`, () => {
  it('1,000 batches of random packets come back unchanged over polling and over websocket', () => {
    const f = fuzzer(SEED);
    let withBinary = 0;
    const elapsed = timed(() => {
      for (let round = 0; round < 1000; round++) {
        // Several packets in one polling payload, as a client batches them.
        const packets = Array.from({ length: 1 + f.int(5) }, () => randomPacket(f));
        const enginePackets: EnginePacket[] = [];
        for (const packet of packets) {
          const { text: encoded, attachments } = encodeSocketPacket(packet);
          if (attachments.length > 0) withBinary++;
          enginePackets.push({ type: 'message', data: encoded });
          for (const attachment of attachments) enginePackets.push({ type: 'message', data: attachment });
        }
        const body = encodePollingPayload(enginePackets);
        // The separator must only ever separate: JSON escapes it inside data.
        assert.equal(body.split('\x1e').length, enginePackets.length, body);

        const overPolling = new SocketPacketDecoder({ maxAttachments: 64 });
        const polled: SocketPacket[] = [];
        for (const enginePacket of decodePollingPayload(body, enginePackets.length)) {
          const packet = overPolling.add(enginePacket.data ?? '');
          if (packet) polled.push(packet);
        }
        expect(polled).toEqual(packets.map(asDecoded));

        const overWebSocket = new SocketPacketDecoder({ maxAttachments: 64 });
        const framed: SocketPacket[] = [];
        for (const enginePacket of enginePackets) {
          const frame = encodeForWebSocket(enginePacket);
          const packet = overWebSocket.add(decodeFromWebSocket(frame, typeof frame !== 'string').data ?? '');
          if (packet) framed.push(packet);
        }
        expect(framed).toEqual(packets.map(asDecoded));
      }
    });
    // The generator must produce binary packets, or the binary path is untested.
    expect(withBinary).toBeGreaterThan(250);
    expect(elapsed).toBeLessThan(20_000);
  });

  it('50,000 mutated Socket.IO packets: a well-formed packet, a wait for attachments, or a SocketDecodeError', () => {
    const f = fuzzer(SEED + 1);
    const corpus = ['0', '0/admin,{"token":"x"}', '1/admin,', '2["a",1]', '2/chat,12["b",{"c":[1,2]}]', '312["ok"]', '51-["f",{"_placeholder":true,"num":0}]', '62-/x,7[{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]'];
    for (let i = 0; i < 200; i++) corpus.push(encodeSocketPacket(randomPacket(f)).text);
    let decoded = 0;
    let refused = 0;
    let completedBinary = 0;
    const elapsed = timed(() => {
      for (let i = 0; i < 50_000; i++) {
        const input = mutate(f, f.pick(corpus));
        const reader = new SocketPacketDecoder({ maxAttachments: MAX_ATTACHMENTS });
        let result = attempt(() => reader.add(input), SocketDecodeError, input);
        // Send a random number of attachments, sometimes too few, sometimes too many.
        for (let sent = f.int(4); result === null && sent > 0; sent--) result = attempt(() => reader.add(Buffer.from([sent])), SocketDecodeError, input);
        if (result === null) {
          assert.ok(reader.awaitingAttachments, input);
          continue;
        }
        if (result instanceof Error) {
          refused++;
          continue;
        }
        checkSocketPacket(result, input);
        assert.ok(!reader.awaitingAttachments, input);
        if (input.startsWith('5') || input.startsWith('6')) completedBinary++;
        decoded++;
      }
    });
    // Both outcomes must be common, or this test proves nothing.
    expect(decoded).toBeGreaterThan(5_000);
    expect(refused).toBeGreaterThan(5_000);
    expect(completedBinary).toBeGreaterThan(100);
    expect(elapsed).toBeLessThan(20_000);
  });

  it('one decoder through 30,000 mixed chunks keeps its state straight', () => {
    const f = fuzzer(SEED + 2);
    const texts = ['2["a"]', '51-["f",{"_placeholder":true,"num":0}]', '53-["f",{"_placeholder":true,"num":2},[{"_placeholder":true,"num":0}],{"x":{"_placeholder":true,"num":1}}]', '0/admin,', '9'];
    const reader = new SocketPacketDecoder({ maxAttachments: MAX_ATTACHMENTS });
    let completed = 0;
    for (let i = 0; i < 30_000; i++) {
      const roll = f.random();
      if (roll < 0.01) reader.reset();
      const chunk: string | Buffer = roll < 0.5 ? Buffer.from([f.int(256)]) : f.random() < 0.8 ? f.pick(texts) : mutate(f, f.pick(texts));
      const wasAwaiting = reader.awaitingAttachments;
      const result = attempt(() => reader.add(chunk), SocketDecodeError, chunk);
      if (result instanceof Error) {
        // A refused chunk changes nothing.
        assert.equal(reader.awaitingAttachments, wasAwaiting, String(chunk));
      } else if (result === null) {
        assert.ok(reader.awaitingAttachments, String(chunk));
      } else {
        checkSocketPacket(result, String(chunk));
        assert.ok(!reader.awaitingAttachments, String(chunk));
        completed++;
      }
    }
    expect(completed).toBeGreaterThan(1_000);
  });

  it('50,000 mutated and random Engine.IO payloads and frames: packets, or an EngineDecodeError', () => {
    const f = fuzzer(SEED + 3);
    const corpus = ['4hello\x1e2\x1e4world', '4hello\x1ebAQIDBA==', '2probe', '3', '5', '6', '1', 'bAQID', '40/admin,{"x":1}\x1e42["a"]'];
    let decoded = 0;
    let refused = 0;
    const elapsed = timed(() => {
      for (let i = 0; i < 50_000; i++) {
        let body: string;
        if (f.random() < 0.2) {
          body = '';
          for (let length = f.int(12); length > 0; length--) body += f.pick(HOSTILE);
        } else {
          body = mutate(f, f.pick(corpus));
        }
        const polled = attempt(() => decodePollingPayload(body, MAX_PACKETS), EngineDecodeError, body);
        if (polled instanceof Error) {
          refused++;
        } else {
          assert.ok(polled.length >= 1 && polled.length <= MAX_PACKETS, body);
          for (const packet of polled) checkEnginePacket(packet, body);
          decoded++;
        }
        const frame = attempt(() => decodeFromWebSocket(body, false), EngineDecodeError, body);
        if (!(frame instanceof Error)) checkEnginePacket(frame, body);
        const bytes = Buffer.from(body);
        // A binary frame is always a binary message, whatever its bytes.
        const binaryFrame = attempt(() => decodeFromWebSocket(bytes, true), EngineDecodeError, body);
        if (binaryFrame instanceof Error || binaryFrame.type !== 'message' || binaryFrame.data !== bytes) throw new Error(`binary frame ${JSON.stringify(body)} misread`);
      }
    });
    expect(decoded).toBeGreaterThan(5_000);
    expect(refused).toBeGreaterThan(5_000);
    expect(elapsed).toBeLessThan(20_000);
  });

  describe('hostile inputs of a megabyte are answered quickly', () => {
    const megabyte = 1 << 20;
    const socketCases: Array<[string, () => string]> = [
      ['a million-digit attachment count', () => `5${'9'.repeat(megabyte)}-["a"]`],
      ['a million-digit ack id', () => `2${'1'.repeat(megabyte)}["a"]`],
      ['a namespace without its comma', () => `2/${'a'.repeat(megabyte)}`],
      ['nesting 300,000 deep in a binary packet', () => `51-["a",${'['.repeat(150_000)}${']'.repeat(150_000)}]`],
      ['50,000 copies of one placeholder', () => `52-["a",${Array(50_000).fill('{"_placeholder":true,"num":0}').join(',')}]`],
      ['an unterminated string', () => `2["${'a'.repeat(megabyte)}`],
    ];
    it.each(socketCases)('Socket.IO: %s', (_what, make) => {
      const input = make();
      const elapsed = timed(() => {
        const result = attempt(() => new SocketPacketDecoder({ maxAttachments: MAX_ATTACHMENTS }).add(input), SocketDecodeError, input.slice(0, 80));
        if (result !== null && !(result instanceof Error)) checkSocketPacket(result, input.slice(0, 80));
      });
      expect(elapsed).toBeLessThan(1_000);
    });

    const engineCases: Array<[string, () => string]> = [
      ['half a million packets', () => '3\x1e'.repeat(megabyte / 2)],
      ['a megabyte of base64 with a bad last character', () => `b${'A'.repeat(megabyte)}!`],
      ['a megabyte of valid base64', () => `b${'AQID'.repeat(megabyte / 4)}`],
      ['a megabyte of separators', () => '\x1e'.repeat(megabyte)],
    ];
    it.each(engineCases)('Engine.IO: %s', (_what, make) => {
      const input = make();
      const elapsed = timed(() => {
        const result = attempt(() => decodePollingPayload(input, 1024), EngineDecodeError, input.slice(0, 80));
        if (!(result instanceof Error)) for (const packet of result) checkEnginePacket(packet, input.slice(0, 80));
      });
      expect(elapsed).toBeLessThan(1_000);
    });
  });
});
