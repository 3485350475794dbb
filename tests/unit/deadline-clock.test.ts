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
});
