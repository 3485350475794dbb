import { fixedHeaders, headerLines } from '../../src/http/answer';
import { coarseNow, dateHeaderLine } from '../../src/clock';
import { EngineCors } from '../../src/protocols/eio/cors';

describe('answer headers made once', () => {
  it('freezes a fixed set and writes its lines, never a Content-Length (an answer sets its own)', () => {
    const headers = fixedHeaders({ 'Content-Type': 'text/plain', 'content-length': 99, 'Set-Cookie': ['a=1', 'b=2'] });
    expect(Object.isFrozen(headers)).toBe(true);
    expect(headerLines(headers)).toBe('Content-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n');
    // A set made for one answer is written the same way, each time.
    expect(headerLines({ 'Content-Length': 5, Vary: 'Origin', skipped: undefined })).toBe('Vary: Origin\r\n');
  });
});

describe('EngineCors', () => {
  it("answers every origin with the same frozen sets for '*' without credentials", () => {
    const cors = new EngineCors('*');
    const a = cors.headersFor('http://a');
    expect(cors.headersFor('http://b')).toBe(a);
    expect(cors.headersFor(undefined)).toBe(a);
    expect(a.cors).toEqual({ 'Access-Control-Allow-Origin': '*' });
    expect(a.text).toEqual({ 'Access-Control-Allow-Origin': '*', 'Content-Type': 'text/plain; charset=UTF-8', 'Cache-Control': 'no-store' });
    expect(a.binary['Content-Type']).toBe('application/octet-stream');
    expect(a.script['Content-Type']).toBe('text/javascript; charset=UTF-8');
    expect(a.ok).toEqual({ 'Access-Control-Allow-Origin': '*', 'Content-Type': 'text/html', 'Cache-Control': 'no-store' });
    expect(a.refusal).toEqual({ 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' });
    for (const set of [a.cors, a.text, a.binary, a.script, a.ok, a.refusal]) expect(Object.isFrozen(set)).toBe(true);
  });

  it('echoes an allowed origin with Vary (and credentials when asked), never `*`; others get no CORS header', () => {
    const listed = new EngineCors(['http://app']);
    expect(listed.headersFor('http://app').cors).toEqual({ 'Access-Control-Allow-Origin': 'http://app', Vary: 'Origin' });
    expect(listed.headersFor('http://app')).toBe(listed.headersFor('http://app'));
    expect(listed.headersFor('http://evil').cors).toEqual({});
    expect(listed.headersFor(undefined).text).toEqual({ 'Content-Type': 'text/plain; charset=UTF-8', 'Cache-Control': 'no-store' });
    const credentialed = new EngineCors({ origin: '*', credentials: true });
    expect(credentialed.headersFor('http://x').cors).toEqual({ 'Access-Control-Allow-Origin': 'http://x', Vary: 'Origin', 'Access-Control-Allow-Credentials': 'true' });
    expect(credentialed.headersFor(undefined).cors).toEqual({});
    expect(new EngineCors(null).headersFor('http://x').cors).toEqual({});
    expect(new EngineCors({ origin: 'http://one' }).headersFor('http://one').cors['Access-Control-Allow-Origin']).toBe('http://one');
  });

  it('keeps a bounded number of origins, and answers each right past the bound', () => {
    const cors = new EngineCors({ origin: '*', credentials: true });
    for (let index = 0; index < 1000; index++) {
      const origin = `http://client-${index}.example`;
      expect(cors.headersFor(origin).cors['Access-Control-Allow-Origin']).toBe(origin);
    }
  });
});

describe('the coarse clock', () => {
  it('reads within a few milliseconds of Date.now, and the Date line is the current second', async () => {
    const before = Date.now();
    const coarse = coarseNow();
    expect(coarse).toBeGreaterThanOrEqual(before - 20);
    expect(coarse).toBeLessThanOrEqual(Date.now());
    // Refreshed once its few milliseconds are over.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(coarseNow()).toBeGreaterThanOrEqual(coarse + 20);
    const line = dateHeaderLine();
    expect(line).toMatch(/^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n$/);
    const stamped = Date.parse(line.substring(6).trim());
    expect(Math.abs(Date.now() - stamped)).toBeLessThan(2000);
  });
});
