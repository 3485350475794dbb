import { DeadlineClock } from '../../src/session/deadline-clock';

describe('DeadlineClock (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('expires each poll once, in order, within a quarter timeout of its deadline, on one timer', () => {
    const deadlines = new DeadlineClock(20_000);
    const expired: string[] = [];
    const poll = (name: string) => ({ expire: () => expired.push(name) });
    const a = poll('a');
    const b = poll('b');
    const c = poll('c');
    deadlines.add(a);
    jest.advanceTimersByTime(5_000);
    deadlines.add(b);
    deadlines.add(c);
    expect(jest.getTimerCount()).toBe(1);
    deadlines.delete(c); // answered before its time
    jest.advanceTimersByTime(15_000);
    expect(expired).toEqual(['a']);
    jest.advanceTimersByTime(6_000);
    expect(expired).toEqual(['a', 'b']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('holds no timer when nothing waits', () => {
    const deadlines = new DeadlineClock(1_000);
    const poll = { expire: () => undefined };
    deadlines.add(poll);
    deadlines.delete(poll);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('a renewed waiter lives one timeout past its last renewal, never less, and others keep their order', () => {
    const deadlines = new DeadlineClock(1_000);
    const expired: Array<[string, number]> = [];
    const start = Date.now();
    const waiter = (name: string) => ({ expire: () => void expired.push([name, Date.now() - start]) });
    const busy = waiter('busy');
    const quiet = waiter('quiet');
    deadlines.add(busy);
    deadlines.add(quiet);
    // Signs of life every 300 ms for 3 s: busy's first deadlines pass while it is renewed.
    for (let t = 300; t <= 3_000; t += 300) {
      jest.advanceTimersByTime(300);
      deadlines.renew(busy);
    }
    expect(expired.map(([name]) => name)).toEqual(['quiet']);
    expect(expired[0][1]).toBeGreaterThanOrEqual(1_000);
    expect(expired[0][1]).toBeLessThanOrEqual(1_250);
    jest.advanceTimersByTime(999);
    expect(expired).toHaveLength(1);
    jest.advanceTimersByTime(251);
    expect(expired.map(([name]) => name)).toEqual(['quiet', 'busy']);
    // The last renewal was at 3,000 ms: expired after 4,000 and within a tick of it.
    expect(expired[1][1]).toBeGreaterThanOrEqual(4_000);
    expect(expired[1][1]).toBeLessThanOrEqual(4_250);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('renewing a waiter that is not waiting adds it', () => {
    const deadlines = new DeadlineClock(1_000);
    let expired = 0;
    deadlines.renew({ expire: () => void expired++ });
    jest.advanceTimersByTime(1_250);
    expect(expired).toBe(1);
  });
});
