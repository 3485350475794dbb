/** A small seeded PRNG (mulberry32), so every fuzz run is reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['~', 'm', 'h', 'j', '0', '1', '9', '{', '}', '"', ':', '[', ']', 'a', 'é', '中', '😀', '\u2028', '\n', '\r', '\0', '<', '/', '\ud800', '%', '+', '&', '='];

/** Random and mutated 0.6 payloads: valid frames, broken ones, and noise. */
export function payloadGenerator(random: () => number): () => string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const text = (max: number): string => {
    let out = '';
    const length = Math.floor(random() * max);
    for (let i = 0; i < length; i++) out += pick(ALPHABET);
    return out;
  };
  const frame = (): string => {
    const body = pick([() => text(20), () => `~j~${text(10)}`, () => `~j~${JSON.stringify({ a: text(5) })}`, () => `~h~${Math.floor(random() * 5)}`])();
    return `~m~${body.length}~m~${body}`;
  };
  const mutate = (payload: string): string => {
    if (payload.length === 0) return text(5);
    const at = Math.floor(random() * payload.length);
    switch (Math.floor(random() * 5)) {
      case 0:
        return payload.slice(0, at); // truncate
      case 1:
        return payload.slice(0, at) + pick(ALPHABET) + payload.slice(at + 1); // flip a character
      case 2:
        return payload.slice(0, at) + text(4) + payload.slice(at); // insert noise
      case 3:
        return payload.replace(/~m~\d+/, `~m~${pick(['', '-1', '99999999999999999999', '1e3', 'x', String(Math.floor(random() * 1e6))])}`);
      default:
        return payload + payload.slice(0, at); // trailing garbage
    }
  };
  return () => {
    const frames = Array.from({ length: 1 + Math.floor(random() * 4) }, frame).join('');
    return random() < 0.3 ? frames : mutate(frames);
  };
}
