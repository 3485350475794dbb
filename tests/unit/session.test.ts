import { SocketConnection, type IncomingMessage } from '../../src/connection';
import { silentLogger } from '../../src/logger';
import { SessionHub } from '../../src/hub/session-hub';
import { SessionRegistry } from '../../src/hub/session-registry';
import type { Payload } from '../../src/protocols/v06/payload';
import { Session, type SessionHost } from '../../src/protocols/v06/session';
import type { SessionSink } from '../../src/protocols/v06/sink';
import { HeartbeatClock } from '../../src/session/heartbeat-clock';

/** A sink that records what it was handed, persistent or one-shot. */
class RecordingSink implements SessionSink {
  readonly deliveries: (readonly string[])[] = [];
  ended = false;
  released = false;
  constructor(readonly persistent: boolean) {}
  deliver(payload: Payload): void {
    this.deliveries.push(payload.frames);
  }
  end(): void {
    this.ended = true;
  }
  release(): void {
    this.released = true;
  }
}

const events: string[] = [];
class Recorder extends SocketConnection {
  override onMessage(message: IncomingMessage): void {
    events.push(`message ${JSON.stringify(message)}`);
  }
  override onClose(): void {
    events.push('close');
  }
}

/** A real hub (no capacity limit, expiry far away) and a flush per microtask, as the 0.6 server runs them. */
function host(): SessionHost & { hub: SessionHub } {
  return {
    logger: silentLogger,
    hub: new SessionHub({ maxSessions: null, expiryMs: 60_000, checkIntervalMs: 60_000, nodeId: 'test' }),
    scheduleFlush: (session) => queueMicrotask(() => session.flush()),
  };
}

const info = {
  transport: 'xhr-polling' as const,
  protocol: '0.6' as const,
  namespace: '/',
  auth: {},
  extra: null,
  request: { remoteAddress: '', headers: {}, query: {}, cookies: {}, url: '', secure: false },
};
const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('Session', () => {
  beforeEach(() => {
    events.length = 0;
    jest.useRealTimers();
  });

  it('sends the session id first and nothing before onOpen accepts', async () => {
    const session = new Session('s1', 'xhr-polling', Recorder, host(), { heartbeats: null, maxQueuedMessages: 1000, maxQueuedBytes: 1 << 20 });
    const sink = new RecordingSink(true);
    session.attach(sink);
    await tick();
    expect(sink.deliveries).toEqual([]);
    await session.open({ ...info, sessionId: 's1' });
    await tick();
    expect(sink.deliveries).toEqual([['~m~2~m~s1']]);
  });

  it('queues while no sink is attached and flushes everything, in order, to the next one', async () => {
    const session = new Session('s1', 'xhr-polling', Recorder, host(), { heartbeats: null, maxQueuedMessages: 1000, maxQueuedBytes: 1 << 20 });
    await session.open({ ...info, sessionId: 's1' });
    session.connection.send('a');
    session.connection.send({ b: 1 });
    session.connection.send(['c', 'd']);
    await tick();
    const sink = new RecordingSink(false);
    session.attach(sink);
    await tick();
    expect(sink.deliveries).toEqual([['~m~2~m~s1', '~m~1~m~a', '~m~10~m~~j~{"b":1}', '~m~1~m~c', '~m~1~m~d']]);
    expect(session.hasSink).toBe(false);
  });

  it('puts frames a sink could not deliver back at the head of the queue', async () => {
    const session = new Session('s1', 'xhr-polling', Recorder, host(), { heartbeats: null, maxQueuedMessages: 1000, maxQueuedBytes: 1 << 20 });
    await session.open({ ...info, sessionId: 's1' });
    session.connection.send('later');
    session.requeue(['~m~7~m~earlier']);
    const sink = new RecordingSink(false);
    session.attach(sink);
    await tick();
    expect(sink.deliveries[0]).toEqual(['~m~7~m~earlier', '~m~2~m~s1', '~m~5~m~later']);
  });

  it('releases an older sink when a newer one attaches', () => {
    const session = new Session('s1', 'xhr-polling', Recorder, host(), { heartbeats: null, maxQueuedMessages: 1000, maxQueuedBytes: 1 << 20 });
    const older = new RecordingSink(false);
    const newer = new RecordingSink(false);
    session.attach(older);
    session.attach(newer);
    expect(older.released).toBe(true);
    expect(newer.released).toBe(false);
  });

  it('dispatches every message of a payload, heartbeats included anywhere', async () => {
    const session = new Session('s1', 'xhr-polling', Recorder, host(), { heartbeats: null, maxQueuedMessages: 1000, maxQueuedBytes: 1 << 20 });
    await session.open({ ...info, sessionId: 's1' });
    session.receivePayload('~m~1~m~a~m~4~m~~h~1~m~8~m~~j~[1,2]~m~1~m~b');
    expect(events).toEqual(['message "a"', 'message [1,2]', 'message "b"']);
  });

  it('calls onClose exactly once however it is closed, and leaves the hub', async () => {
    const h = host();
    const session = new Session('s1', 'xhr-polling', Recorder, h, { heartbeats: null, maxQueuedMessages: 1000, maxQueuedBytes: 1 << 20 });
    h.hub.register(session);
    await session.open({ ...info, sessionId: 's1' });
    session.connection.join('room');
    expect(h.hub.stats.connections).toBe(1);
    session.close();
    session.close();
    session.abort('again');
    session.expire();
    expect(events).toEqual(['close']);
    expect(h.hub.sessionCount).toBe(0);
    expect(h.hub.stats).toMatchObject({ connections: 0, sessionsCreated: 1, sessionsClosed: 1 });
    expect(session.connection.rooms.size).toBe(0);
  });

  it('counts requeued frames in UTF-8 bytes toward the queue cap', async () => {
    const h = host();
    // The id frame is 9 bytes, the requeued one 9 (é is two bytes in UTF-8, one UTF-16 unit), 'x' 8: 26 > 25.
    // Counting the requeue by string length (8) or not at all would leave the session open.
    const session = new Session('s1', 'xhr-polling', Recorder, h, { heartbeats: null, maxQueuedMessages: 1000, maxQueuedBytes: 25 });
    await session.open({ ...info, sessionId: 's1' });
    session.requeue(['~m~1~m~é']);
    expect(session.isClosed).toBe(false);
    session.connection.send('x');
    expect(session.isClosed).toBe(true);
  });

  it('closes a session that misses a heartbeat (fake timers)', async () => {
    jest.useFakeTimers();
    const session = new Session('s1', 'websocket', Recorder, host(), { heartbeats: new HeartbeatClock(1000), maxQueuedMessages: 1000, maxQueuedBytes: 1 << 20 });
    const sink = new RecordingSink(true);
    session.attach(sink);
    await session.open({ ...info, transport: 'websocket', sessionId: 's1' });
    jest.advanceTimersByTime(1000);
    await Promise.resolve();
    expect(sink.deliveries.flat()).toContain('~m~4~m~~h~1');
    session.receivePayload('~m~4~m~~h~1');
    jest.advanceTimersByTime(1000);
    await Promise.resolve();
    expect(session.isClosed).toBe(false);
    expect(sink.deliveries.flat()).toContain('~m~4~m~~h~2');
    jest.advanceTimersByTime(1000);
    expect(session.isClosed).toBe(true);
    expect(sink.ended).toBe(true);
    expect(events).toEqual(['close']);
  });
});

describe('SessionRegistry expiry (fake timers)', () => {
  beforeEach(() => {
    events.length = 0;
    jest.useFakeTimers();
  });
  afterEach(() => jest.useRealTimers());

  it('expires a session with nothing attached after the expiry, sliding with activity', async () => {
    const h = host();
    h.hub = new SessionHub({ maxSessions: null, expiryMs: 30_000, checkIntervalMs: 15_000, nodeId: 'test' });
    const session = new Session('s1', 'xhr-polling', Recorder, h, { heartbeats: null, maxQueuedMessages: 1000, maxQueuedBytes: 1 << 20 });
    h.hub.register(session);
    await session.open({ ...info, sessionId: 's1' });
    jest.advanceTimersByTime(20_000);
    const sink = new RecordingSink(true);
    session.attach(sink); // a streaming GET arrives: the clock starts again when it leaves
    jest.advanceTimersByTime(20_000);
    session.detach(sink);
    jest.advanceTimersByTime(29_000);
    expect(session.isClosed).toBe(false);
    jest.advanceTimersByTime(16_000);
    expect(session.isClosed).toBe(true);
    expect(events).toEqual(['close']);
    expect(h.hub.sessionCount).toBe(0);
  });

  it('holds no timer when it has no sessions', () => {
    const store = new SessionRegistry(1000, 1000);
    expect(jest.getTimerCount()).toBe(0);
    const session = new Session('s1', 'xhr-polling', Recorder, host(), { heartbeats: null, maxQueuedMessages: 1000, maxQueuedBytes: 1 << 20 });
    store.add(session);
    expect(jest.getTimerCount()).toBe(1);
    store.delete(session);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('HeartbeatClock (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs one timer for all its sessions, and none when it has none', () => {
    const clock = new HeartbeatClock(1000);
    const beats: string[] = [];
    const a = { heartbeat: () => beats.push('a') };
    const b = { heartbeat: () => beats.push('b') };
    expect(jest.getTimerCount()).toBe(0);
    clock.add(a);
    clock.add(b);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(2000);
    expect(beats).toEqual(['a', 'b', 'a', 'b']);
    clock.delete(a);
    jest.advanceTimersByTime(1000);
    expect(beats).toEqual(['a', 'b', 'a', 'b', 'b']);
    clock.delete(b);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('lets a session leave while the clock iterates', () => {
    const clock = new HeartbeatClock(1000);
    const beats: string[] = [];
    const leaver = { heartbeat: () => (beats.push('leaver'), clock.delete(leaver)) };
    const stayer = { heartbeat: () => beats.push('stayer') };
    clock.add(leaver);
    clock.add(stayer);
    jest.advanceTimersByTime(2000);
    expect(beats).toEqual(['leaver', 'stayer', 'stayer']);
  });
});
