import { nextOffset, SentLog, type StampedPackets } from '../../src/protocols/eio/recovery';

function entry(offset: string): StampedPackets {
  return { offset, packets: [{ type: 'message', data: offset }] };
}

const offsetsOf = (entries: StampedPackets[] | null) => entries?.map((stamped) => stamped.offset) ?? null;

describe('SentLog', () => {
  test('gives what was sent after an offset, oldest first', () => {
    const log = new SentLog(5);
    for (const offset of ['a', 'b', 'c']) log.push(entry(offset));
    expect(offsetsOf(log.after('a'))).toEqual(['b', 'c']);
    expect(offsetsOf(log.after('c'))).toEqual([]);
    expect(log.after('z')).toBeNull();
  });

  test('keeps the last `capacity` entries across many wraps of its ring', () => {
    const log = new SentLog(3);
    for (let n = 0; n < 11; n++) log.push(entry(`o${n}`));
    expect(log.after('o7')).toBeNull();
    expect(offsetsOf(log.after('o8'))).toEqual(['o9', 'o10']);
    expect(offsetsOf(log.after('o10'))).toEqual([]);
  });

  test('an empty log knows no offset', () => {
    expect(new SentLog(3).after('a')).toBeNull();
  });
});

test('offsets are distinct strings', () => {
  const offsets = new Set(Array.from({ length: 1000 }, () => nextOffset()));
  expect(offsets.size).toBe(1000);
});
