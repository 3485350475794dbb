import { generateSessionId, SESSION_ID_PATTERN } from '../../src/hub/session-id';

describe('session ids', () => {
  it('10,000 ids are unique, URL-safe, and carry at least 128 random bits', () => {
    const ids = Array.from({ length: 10_000 }, generateSessionId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(SESSION_ID_PATTERN);
      expect(encodeURIComponent(id)).toBe(id);
    }
    // base64url: 6 bits a character, no padding.
    expect(ids[0].length * 6).toBeGreaterThanOrEqual(128);
    const decoded = Buffer.from(ids[0], 'base64url');
    expect(decoded.length * 8).toBeGreaterThanOrEqual(128);
  });

  it('looks random: every base64url character shows up, each bit position is balanced', () => {
    const ids = Array.from({ length: 10_000 }, generateSessionId);
    const characters = new Set(ids.join(''));
    expect(characters.size).toBe(64);
    const bytes = ids.map((id) => Buffer.from(id, 'base64url'));
    for (let bit = 0; bit < 18 * 8; bit++) {
      const ones = bytes.filter((buffer) => (buffer[bit >> 3] >> (bit & 7)) & 1).length;
      // 10,000 fair coin flips: 5,000 ± 4σ (σ = 50).
      expect(Math.abs(ones - 5000)).toBeLessThan(200);
    }
  });
});
