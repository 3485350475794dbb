/**
 * Rooms and broadcast operators on 0.6 connections, driven by real clients
 * over 127.0.0.1 (websocket and xhr-polling mixed).
 *
 * "Does not receive" is checked without sleeping: after the broadcast under
 * test, the router sends a sync token to everyone, and each client is waited
 * on for it. Messages of one session are delivered in order, so once the token
 * arrived anything sent before it that did not arrive never will.
 */
import type { ConnectionInfo, ConnectionSummary, OpenResult, SocketConnection } from '../../src';
import { connect, waitFor, WebSocketClient, type TestClient } from '../helpers/test-client';
import { startEchoServer, type TestServer } from '../helpers/server';

/** No heartbeats during a test: raw websocket frames then hold only what the test sent. */
const SETTINGS = { heartbeatInterval: 60, sessionExpiry: 1, sessionCheckInterval: 0.1 };

type Transport = 'websocket' | 'xhr-polling';
type OpenHook = (connection: SocketConnection, info: ConnectionInfo) => OpenResult;

/** A deferred promise, so a test decides when an async onOpen goes on. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A 0.6 frame, spelled out here rather than taken from the codec under test. */
const frame = (text: string): string => `~m~${text.length}~m~${text}`;

describe('rooms and broadcasts on 0.6 connections', () => {
  let server: TestServer;
  let clients: TestClient[];
  /** Per-test extra onOpen behaviour, run after the `x-join` header's rooms are joined. */
  let openHook: OpenHook | null;
  let syncSeq = 0;

  beforeEach(async () => {
    clients = [];
    openHook = null;
    server = await startEchoServer(SETTINGS, {
      onOpen: (info) => {
        const connection = server.log.connections.get(info.sessionId)!;
        const join = info.request.headers['x-join'];
        if (typeof join === 'string' && join !== '') connection.join(join.split(','));
        return openHook?.(connection, info);
      },
    });
  });

  afterEach(async () => {
    for (const client of clients) client.close();
    await server.close();
  });

  /** Opens a client that joins `rooms` in onOpen (through the `x-join` header). */
  async function open(transport: Transport, rooms: string[] = [], headers: Record<string, string> = {}): Promise<TestClient> {
    const client = await connect(transport, server.port, { headers: { 'x-join': rooms.join(','), ...headers } });
    clients.push(client);
    return client;
  }

  /** The server-side connection of a client. */
  function conn(client: TestClient): SocketConnection {
    const connection = server.log.connections.get(client.sessionId);
    if (!connection) throw new Error(`no connection for ${client.sessionId}`);
    return connection;
  }

  /** Sends a sync token to everyone and waits for it on each of `waitOn`. */
  async function sync(...waitOn: TestClient[]): Promise<void> {
    const token = `sync-${++syncSeq}`;
    server.router.send(token);
    await Promise.all(waitOn.map((client) => waitFor(() => client.messages.includes(token), 5000, `${token} on ${client.transport} ${client.sessionId}`)));
  }

  /** What a client received, sync tokens left out. */
  const got = (client: TestClient): string[] => client.messages.filter((message) => !message.startsWith('sync-'));

  const ids = (summaries: ConnectionSummary[]): string[] => summaries.map((summary) => summary.id).sort();
  const sorted = (rooms: Iterable<string>): string[] => [...rooms].sort();

  it('router.to(room).send reaches exactly the members that joined in onOpen, on both transports', async () => {
    const wsA = await open('websocket', ['a']);
    const pollA = await open('xhr-polling', ['a']);
    const wsB = await open('websocket', ['b']);
    const pollNone = await open('xhr-polling');

    server.router.to('a').send('for a');
    server.router.to('b').send({ for: 'b' });
    server.router.to('nobody').send('for nobody');
    await sync(wsA, pollA, wsB, pollNone);

    expect(got(wsA)).toEqual(['for a']);
    expect(got(pollA)).toEqual(['for a']);
    expect(got(wsB)).toEqual(['~j~{"for":"b"}']);
    expect(got(pollNone)).toEqual([]);
  });

  it('room broadcasts reach members on every 0.6 transport', async () => {
    const transports = ['websocket', 'flashsocket', 'xhr-polling', 'jsonp-polling', 'xhr-multipart', 'htmlfile'] as const;
    const members: TestClient[] = [];
    for (const transport of transports) {
      const client = await connect(transport, server.port, { headers: { 'x-join': 'six' } });
      clients.push(client);
      members.push(client);
    }
    const outsider = await open('xhr-polling');

    server.router.to('six').send('six');
    server.router.to('six').emit('six-event', { n: 6 });
    await sync(...members, outsider);

    for (const member of members) expect([member.transport, got(member)]).toEqual([member.transport, ['six', '~j~{"name":"six-event","args":[{"n":6}]}']]);
    expect(got(outsider)).toEqual([]);
    expect(server.router.stats.connectionsByProtocol).toEqual({ '0.6': 7, '0.9': 0, eio3: 0, eio4: 0 });
  });

  it('leave stops delivery to that connection only', async () => {
    const ws = await open('websocket', ['a']);
    const poll = await open('xhr-polling', ['a']);

    server.router.to('a').send('one');
    await sync(ws, poll);
    conn(ws).leave('a');
    expect(conn(ws).rooms.has('a')).toBe(false);
    server.router.to('a').send('two');
    await sync(ws, poll);
    conn(poll).leave('a');
    server.router.to('a').send('three');
    await sync(ws, poll);

    expect(got(ws)).toEqual(['one']);
    expect(got(poll)).toEqual(['one', 'two']);
    expect(await server.router.fetchConnections({ room: 'a' })).toEqual([]);
  });

  it('to(a).to(b) reaches members of either room, and a member of both once', async () => {
    const onlyA = await open('websocket', ['a']);
    const onlyB = await open('xhr-polling', ['b']);
    const bothWs = await open('websocket', ['a', 'b']);
    const bothPoll = await open('xhr-polling', ['a', 'b']);
    const other = await open('websocket', ['c']);

    server.router.to('a').to('b').send('chained');
    server.router.to(['a', 'b']).send('list');
    server.router.in('b').in('a').send('in');
    server.router.to('a').to('a').send('same room twice');
    await sync(onlyA, onlyB, bothWs, bothPoll, other);

    expect(got(onlyA)).toEqual(['chained', 'list', 'in', 'same room twice']);
    expect(got(onlyB)).toEqual(['chained', 'list', 'in']);
    expect(got(bothWs)).toEqual(['chained', 'list', 'in', 'same room twice']);
    expect(got(bothPoll)).toEqual(['chained', 'list', 'in', 'same room twice']);
    expect(got(other)).toEqual([]);
  });

  it('except leaves out members of a room, a list of rooms, or one connection id', async () => {
    const a = await open('websocket', ['a']);
    const b = await open('xhr-polling', ['b']);
    const ab = await open('websocket', ['a', 'b']);
    const none = await open('xhr-polling');

    server.router.except('a').send('e1');
    server.router.to('b').except('a').send('e2');
    server.router.except(['a', 'b']).send('e3');
    server.router.except('a').except('b').send('e4');
    server.router.except(none.sessionId).send('e5');
    server.router.to(['a', 'b']).except(ab.sessionId).send('e6');
    await sync(a, b, ab, none);

    expect(got(a)).toEqual(['e5', 'e6']);
    expect(got(b)).toEqual(['e1', 'e2', 'e5', 'e6']);
    expect(got(ab)).toEqual(['e5']);
    expect(got(none)).toEqual(['e1', 'e3', 'e4']);
  });

  it('connection.to/in/except leave out the connection itself', async () => {
    const sender = await open('websocket', ['a', 'b']);
    const wsA = await open('websocket', ['a']);
    const pollA = await open('xhr-polling', ['a']);
    const pollB = await open('xhr-polling', ['b']);
    const none = await open('websocket');
    const me = conn(sender);

    me.to('a').send('to a');
    me.in('b').send('in b');
    me.to('a').to('b').send('a or b');
    me.except('a').send('not a');
    me.to(sender.sessionId).send('to myself');
    await sync(sender, wsA, pollA, pollB, none);

    expect(got(sender)).toEqual([]);
    expect(got(wsA)).toEqual(['to a', 'a or b']);
    expect(got(pollA)).toEqual(['to a', 'a or b']);
    expect(got(pollB)).toEqual(['in b', 'a or b', 'not a']);
    expect(got(none)).toEqual(['not a']);
  });

  it('broadcast(msg), broadcast.emit and broadcast.to(room).emit reach everyone else; router.broadcast honours except', async () => {
    const sender = await open('xhr-polling', ['a']);
    const wsA = await open('websocket', ['a']);
    const pollA = await open('xhr-polling', ['a']);
    const wsNone = await open('websocket');
    const me = conn(sender);

    me.broadcast('hello');
    me.broadcast.emit('ev', 1);
    me.broadcast.to('a').emit('room-ev', 'x');
    me.broadcast.in('a').send('in a');
    me.broadcast.except('a').send('outside a');
    server.router.broadcast('all but sender', me);
    server.router.broadcast('all but two', [me, conn(wsNone)]);
    server.router.broadcast('everyone');
    await sync(sender, wsA, pollA, wsNone);

    const ev = '~j~{"name":"ev","args":[1]}';
    const roomEv = '~j~{"name":"room-ev","args":["x"]}';
    expect(got(sender)).toEqual(['everyone']);
    expect(got(wsA)).toEqual(['hello', ev, roomEv, 'in a', 'all but sender', 'all but two', 'everyone']);
    expect(got(pollA)).toEqual(['hello', ev, roomEv, 'in a', 'all but sender', 'all but two', 'everyone']);
    expect(got(wsNone)).toEqual(['hello', ev, 'outside a', 'all but sender', 'everyone']);
  });

  it('router.emit, router.of("/") and router.in reach the same connections as to/send', async () => {
    const ws = await open('websocket', ['r']);
    const poll = await open('xhr-polling');

    server.router.emit('all', 1);
    server.router.of('/').to('r').emit('r-only');
    server.router.in('r').send('in r');
    server.router.of('/').except('r').send('not r');
    await sync(ws, poll);

    expect(got(ws)).toEqual(['~j~{"name":"all","args":[1]}', '~j~{"name":"r-only","args":[]}', 'in r']);
    expect(got(poll)).toEqual(['~j~{"name":"all","args":[1]}', 'not r']);
  });

  it('emit on 0.6 sends the JSON message {name, args}, functions dropped (raw websocket frames, decoded polling messages)', async () => {
    const ws = (await open('websocket', ['news'])) as WebSocketClient;
    const poll = await open('xhr-polling', ['news']);
    const raw: string[] = [];
    ws.socket.on('message', (data) => raw.push(data.toString()));

    const direct = '~j~{"name":"news","args":[1,"two",{"x":3},null]}';
    const ack = '~j~{"name":"ack-me","args":["a","b"]}';
    const room = '~j~{"name":"update","args":[[1,2],"é😀"]}';
    const bare = '~j~{"name":"bare","args":[]}';

    expect(conn(ws).emit('news', 1, 'two', { x: 3 }, null, () => 'dropped')).toBe(true);
    await ws.waitForMessages(1);
    expect(raw).toEqual([frame(direct)]);

    expect(conn(poll).emit('ack-me', 'a', () => 'dropped', 'b')).toBe(true);
    expect(server.router.to('news').emit('update', [1, 2], 'é😀', () => 'dropped')).toBe(true);
    server.router.emit('bare');
    await sync(ws, poll);

    expect(got(ws)).toEqual([direct, room, bare]);
    expect(got(poll)).toEqual([ack, room, bare]);
    // Whatever the coalescing into websocket messages, the bytes are exactly these frames.
    expect(raw.join('')).toBe([direct, room, bare, `sync-${syncSeq}`].map(frame).join(''));
    expect(JSON.parse(room.substring(3))).toEqual({ name: 'update', args: [[1, 2], 'é😀'] });
  });

  it('rooms holds the own id and the joined rooms; id, namespace, protocol and onOpen info are 0.6 ones', async () => {
    const ws = await open('websocket', ['a', 'b']);
    const poll = await open('xhr-polling');
    const w = conn(ws);
    const p = conn(poll);

    expect(sorted(w.rooms)).toEqual(sorted([ws.sessionId, 'a', 'b']));
    expect(sorted(p.rooms)).toEqual([poll.sessionId]);
    expect({ id: w.id, sessionId: w.sessionId, namespace: w.namespace, protocol: w.protocol, transport: w.transport }).toEqual({
      id: ws.sessionId,
      sessionId: ws.sessionId,
      namespace: '/',
      protocol: '0.6',
      transport: 'websocket',
    });
    expect({ id: p.id, namespace: p.namespace, protocol: p.protocol, transport: p.transport }).toEqual({
      id: poll.sessionId,
      namespace: '/',
      protocol: '0.6',
      transport: 'xhr-polling',
    });
    for (const [client, info] of [ws, poll].map((c) => [c, server.log.opened.find((i) => i.sessionId === c.sessionId)!] as const)) {
      expect(info).toMatchObject({ sessionId: client.sessionId, transport: client.transport, protocol: '0.6', namespace: '/' });
      expect(info.auth).toEqual({});
    }

    p.join(['c', 'd']);
    p.join('c');
    expect(sorted(p.rooms)).toEqual(sorted([poll.sessionId, 'c', 'd']));
    p.leave('d');
    p.leave('never joined');
    expect(sorted(p.rooms)).toEqual(sorted([poll.sessionId, 'c']));

    // The own id is a room: it reaches that one connection.
    server.router.to(poll.sessionId).send('just you');
    await sync(ws, poll);
    expect(got(poll)).toEqual(['just you']);
    expect(got(ws)).toEqual([]);
  });

  it("a connection id stays that connection's room when another connection joins a room of that name", async () => {
    // In Socket.IO v4 a connection's id is an ordinary room: another socket may join it, and
    // to(id) then reaches both, while except(id) (what connection.to/broadcast use) still leaves out its owner.
    const owner = await open('xhr-polling', ['a']);
    const follower = await open('websocket', ['a']);
    const bystander = await open('websocket', ['a']);
    conn(follower).join(owner.sessionId);

    server.router.to(owner.sessionId).send('to the owner id');
    conn(owner).broadcast('owner broadcast');
    conn(owner).to('a').send('owner to a');
    await sync(owner, follower, bystander);

    expect({
      owner: got(owner),
      followerGotOwnerRoom: got(follower).includes('to the owner id'),
      bystander: got(bystander),
      ownerRoom: ids(await server.router.fetchConnections({ room: owner.sessionId })),
    }).toEqual({
      owner: ['to the owner id'],
      followerGotOwnerRoom: true,
      bystander: ['owner broadcast', 'owner to a'],
      ownerRoom: ids([owner, follower].map((c) => ({ id: c.sessionId }) as ConnectionSummary)),
    });
  });

  it('rooms are left on close, whoever ends the connection; later sends to the room do not fail', async () => {
    const wsGone = await open('websocket', ['r']);
    const pollGone = await open('xhr-polling', ['r', 'p']);
    const wsKicked = await open('websocket', ['r']);
    const stays = await open('xhr-polling', ['r']);
    const closed = [wsGone, pollGone, wsKicked].map(conn);
    expect(ids(await server.router.fetchConnections({ room: 'r' }))).toEqual(ids(clients.map((c) => ({ id: c.sessionId }) as ConnectionSummary)));

    wsGone.close(); // the client closes its socket
    await waitFor(() => server.log.closed.includes(wsGone.sessionId), 5000, 'onClose of the websocket client');
    expect(ids(await server.router.fetchConnections({ room: 'r' }))).not.toContain(wsGone.sessionId);

    pollGone.close(); // the client vanishes; the session expires
    await waitFor(() => server.log.closed.includes(pollGone.sessionId), 5000, 'expiry of the polling client');
    expect(await server.router.fetchConnections({ room: 'p' })).toEqual([]);

    conn(wsKicked).disconnect(); // the server ends it
    await wsKicked.closed;
    await waitFor(() => server.log.closed.includes(wsKicked.sessionId), 5000, 'onClose of the kicked client');

    expect(ids(await server.router.fetchConnections({ room: 'r' }))).toEqual([stays.sessionId]);
    for (const connection of closed) expect([...connection.rooms]).toEqual([]);
    expect(() => server.router.to('r').send('after')).not.toThrow();
    expect(() => server.router.to('p').to(wsGone.sessionId).emit('after-event')).not.toThrow();
    expect(() => conn(stays).to('r').send('from the last one')).not.toThrow();
    await sync(stays);
    expect(got(stays)).toEqual(['after']);
    expect(wsGone.messages).toEqual([]);
  });

  it('an async onOpen can join before it resolves, on both transports', async () => {
    const gates = new Map<string, { reached: boolean; go: ReturnType<typeof deferred<void>> }>();
    openHook = async (connection, info) => {
      const gate = { reached: true, go: deferred<void>() };
      gates.set(info.transport, gate);
      connection.join('early');
      await gate.go.promise;
      connection.join(['late', `late-${info.transport}`]);
    };
    const wsPending = open('websocket');
    const pollPending = open('xhr-polling');
    await waitFor(() => gates.size === 2, 5000, 'both onOpen calls');
    for (const gate of gates.values()) gate.go.resolve();
    const [ws, poll] = await Promise.all([wsPending, pollPending]);

    expect(sorted(conn(ws).rooms)).toEqual(sorted([ws.sessionId, 'early', 'late', 'late-websocket']));
    expect(sorted(conn(poll).rooms)).toEqual(sorted([poll.sessionId, 'early', 'late', 'late-xhr-polling']));
    server.router.to('early').send('early');
    server.router.to('late').send('late');
    server.router.to('late-websocket').send('ws only');
    await sync(ws, poll);
    expect(got(ws)).toEqual(['early', 'late', 'ws only']);
    expect(got(poll)).toEqual(['early', 'late']);
    expect(ids(await server.router.fetchConnections({ room: 'early' }))).toEqual(ids([ws, poll].map((c) => ({ id: c.sessionId }) as ConnectionSummary)));
  });

  it('a refused onOpen (false, throw, async false, async reject) leaves no room membership behind', async () => {
    const member = await open('websocket', ['vip']);
    const refused: SocketConnection[] = [];
    openHook = (connection, info) => {
      const how = info.request.headers['x-refuse'];
      if (typeof how !== 'string') return undefined;
      refused.push(connection);
      connection.join(['vip', `vip-${how}`]);
      switch (how) {
        case 'false':
          return false;
        case 'throw':
          throw new Error('not you');
        case 'async-false':
          return Promise.resolve().then(() => false);
        default:
          return Promise.resolve().then(() => {
            throw new Error('not you either');
          });
      }
    };
    const cases: Array<[Transport, string]> = [
      ['websocket', 'false'],
      ['xhr-polling', 'false'],
      ['websocket', 'throw'],
      ['xhr-polling', 'throw'],
      ['websocket', 'async-false'],
      ['xhr-polling', 'async-false'],
      ['websocket', 'async-reject'],
      ['xhr-polling', 'async-reject'],
    ];
    for (const [transport, how] of cases) {
      await expect(connect(transport, server.port, { headers: { 'x-refuse': how } })).rejects.toThrow(/closed before it had a session id/);
    }

    expect(refused).toHaveLength(cases.length);
    for (const connection of refused) {
      expect(connection.isClosed).toBe(true);
      expect([...connection.rooms]).toEqual([]);
    }
    expect(ids(await server.router.fetchConnections({ room: 'vip' }))).toEqual([member.sessionId]);
    for (const [, how] of cases) expect(await server.router.fetchConnections({ room: `vip-${how}` })).toEqual([]);
    expect(ids(await server.router.fetchConnections())).toEqual([member.sessionId]);
    expect(server.router.stats.connections).toBe(1);
    expect(server.log.closed).toEqual([]);

    const before = server.router.stats.messagesOut;
    server.router.to('vip').to(cases.map(([, how]) => `vip-${how}`)).send('vip news');
    for (const connection of refused) server.router.to(connection.id).send('to a refused id');
    expect(server.router.stats.messagesOut - before).toBe(1);
    await sync(member);
    expect(got(member)).toEqual(['vip news']);
  });

  it('a connection whose async onOpen joined a room and then got refused is not reachable by to(room)', async () => {
    const member = await open('xhr-polling', ['vip']);
    let pending: SocketConnection | null = null;
    const verdict = deferred<boolean>();
    openHook = async (connection, info) => {
      if (info.request.headers['x-pending'] !== '1') return true;
      pending = connection;
      connection.join('vip');
      const accepted = await verdict.promise;
      connection.join('after-verdict'); // a closed connection joins nothing
      return accepted;
    };
    const attempt = connect('websocket', server.port, { headers: { 'x-pending': '1' } }).then(
      () => 'connected',
      (error: Error) => error.message,
    );
    await waitFor(() => pending !== null, 5000, 'the pending onOpen');
    const refusedId = pending!.id;
    // While onOpen is pending, the room operations of the room act on the open member only.
    server.router.to('vip').socketsJoin('extra');
    expect(ids(await server.router.fetchConnections({ room: 'extra' }))).toEqual([member.sessionId]);

    verdict.resolve(false);
    expect(await attempt).toMatch(/closed before it had a session id/);

    expect([...pending!.rooms]).toEqual([]);
    expect(ids(await server.router.fetchConnections({ room: 'vip' }))).toEqual([member.sessionId]);
    expect(await server.router.fetchConnections({ room: 'after-verdict' })).toEqual([]);
    const before = server.router.stats.messagesOut;
    server.router.to('vip').send('vip only');
    server.router.to(refusedId).send('nobody');
    server.router.to('after-verdict').send('nobody either');
    expect(server.router.stats.messagesOut - before).toBe(1);
    await sync(member);
    expect(got(member)).toEqual(['vip only']);
  });

  it('a client that goes away during an async onOpen leaves the rooms it joined', async () => {
    let pending: SocketConnection | null = null;
    let finished = false;
    const go = deferred<void>();
    openHook = async (connection) => {
      pending = connection;
      connection.join('early');
      await go.promise;
      connection.join('late');
      finished = true;
    };
    const client = new WebSocketClient('websocket', server.port);
    clients.push(client);
    await waitFor(() => pending !== null, 5000, 'the pending onOpen');
    client.close();
    await waitFor(() => pending!.isClosed, 5000, 'the server to see the socket close');
    go.resolve();
    await waitFor(() => finished, 5000, 'the rest of onOpen');

    expect([...pending!.rooms]).toEqual([]);
    expect(await server.router.fetchConnections({ room: 'early' })).toEqual([]);
    expect(await server.router.fetchConnections({ room: 'late' })).toEqual([]);
    expect(server.router.stats.connections).toBe(0);
    expect(server.log.closed).toEqual([]); // it never opened
  });

  it('socketsJoin, socketsLeave and disconnectSockets from the router', async () => {
    const wsA = await open('websocket', ['a']);
    const pollA = await open('xhr-polling', ['a']);
    const wsB = await open('websocket', ['b']);
    const pollNone = await open('xhr-polling');

    server.router.to('a').socketsJoin(['x', 'y']);
    expect(ids(await server.router.fetchConnections({ room: 'x' }))).toEqual(ids([wsA, pollA].map((c) => ({ id: c.sessionId }) as ConnectionSummary)));
    expect(sorted(conn(pollA).rooms)).toEqual(sorted([pollA.sessionId, 'a', 'x', 'y']));
    server.router.of('/').socketsJoin('all');
    server.router.to('a').socketsLeave('all');
    server.router.in('x').socketsLeave(['x']);
    server.router.except('b').socketsJoin('not-b');

    server.router.to('x').send('to x');
    server.router.to('y').send('to y');
    server.router.to('all').send('to all');
    server.router.to('not-b').send('to not-b');
    await sync(wsA, pollA, wsB, pollNone);
    expect(got(wsA)).toEqual(['to y', 'to not-b']);
    expect(got(pollA)).toEqual(['to y', 'to not-b']);
    expect(got(wsB)).toEqual(['to all']);
    expect(got(pollNone)).toEqual(['to all', 'to not-b']);

    server.router.to('b').disconnectSockets();
    await wsB.closed;
    server.router.except(['a', 'b']).disconnectSockets();
    await pollNone.closed;
    await waitFor(() => server.log.closed.length === 2, 5000, 'two onClose calls');
    expect(sorted(server.log.closed)).toEqual(sorted([wsB.sessionId, pollNone.sessionId]));
    expect(ids(await server.router.fetchConnections())).toEqual(ids([wsA, pollA].map((c) => ({ id: c.sessionId }) as ConnectionSummary)));
    expect(await server.router.fetchConnections({ room: 'all' })).toEqual([]);
    expect(server.router.stats.connections).toBe(2);

    // The ones left still get what is sent to their rooms.
    server.router.to('a').send('still here');
    await sync(wsA, pollA);
    expect(got(wsA).at(-1)).toBe('still here');
    expect(got(pollA).at(-1)).toBe('still here');
  });

  it('fetchConnections resolves to plain {id, namespace, rooms, protocol, transport, nodeId} objects', async () => {
    const ws = await open('websocket', ['a']);
    const poll = await open('xhr-polling', ['a', 'b']);

    const all = await server.router.fetchConnections();
    const byId = new Map(all.map((summary) => [summary.id, summary]));
    expect(all).toHaveLength(2);
    for (const summary of all) {
      expect(Object.keys(summary).sort()).toEqual(['id', 'namespace', 'nodeId', 'protocol', 'rooms', 'transport']);
      expect(Array.isArray(summary.rooms)).toBe(true);
      expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    }
    const normalise = (summary: ConnectionSummary | undefined) => summary && { ...summary, rooms: sorted(summary.rooms) };
    expect(normalise(byId.get(ws.sessionId))).toEqual({
      id: ws.sessionId,
      namespace: '/',
      rooms: sorted([ws.sessionId, 'a']),
      protocol: '0.6',
      transport: 'websocket',
      nodeId: server.router.nodeId,
    });
    expect(normalise(byId.get(poll.sessionId))).toEqual({
      id: poll.sessionId,
      namespace: '/',
      rooms: sorted([poll.sessionId, 'a', 'b']),
      protocol: '0.6',
      transport: 'xhr-polling',
      nodeId: server.router.nodeId,
    });
    expect(typeof server.router.nodeId).toBe('string');
    expect(server.router.nodeId).not.toBe('');

    expect(ids(await server.router.fetchConnections({ namespace: '/' }))).toEqual(ids(all));
    expect(ids(await server.router.fetchConnections({ room: 'b' }))).toEqual([poll.sessionId]);
    expect(await server.router.fetchConnections({ room: 'nobody' })).toEqual([]);
    expect(ids(await server.router.to('a').except('b').fetchConnections())).toEqual([ws.sessionId]);
    expect(ids(await server.router.of('/').fetchConnections())).toEqual(ids(all));
    expect(ids(await conn(ws).to('a').fetchConnections())).toEqual([poll.sessionId]);
    expect(ids(await conn(poll).broadcast.to('a').fetchConnections())).toEqual([ws.sessionId]);

    // A snapshot: joining later does not change an array already handed out.
    const snapshot = (await server.router.fetchConnections({ room: 'b' }))[0].rooms.slice();
    const handedOut = (await server.router.fetchConnections({ room: 'b' }))[0];
    conn(poll).join('c');
    expect(handedOut.rooms.sort()).toEqual(snapshot.sort());
  });

  it('stats counts open connections by protocol and by transport', async () => {
    expect(server.router.stats.connections).toBe(0);
    expect(server.router.stats.connectionsByProtocol).toEqual({ '0.6': 0, '0.9': 0, eio3: 0, eio4: 0 });

    const ws1 = await open('websocket', ['a']);
    await open('websocket');
    await open('xhr-polling');
    await open('xhr-polling', ['b']);
    let stats = server.router.stats;
    expect(stats.connections).toBe(4);
    expect(stats.connectionsByProtocol).toEqual({ '0.6': 4, '0.9': 0, eio3: 0, eio4: 0 });
    expect(stats.connectionsByTransport).toMatchObject({ websocket: 2, 'xhr-polling': 2, 'jsonp-polling': 0, htmlfile: 0 });

    openHook = () => false;
    await expect(connect('websocket', server.port)).rejects.toThrow();
    expect(server.router.stats.connections).toBe(4);

    ws1.close();
    await waitFor(() => server.log.closed.includes(ws1.sessionId), 5000, 'onClose');
    stats = server.router.stats;
    expect(stats.connections).toBe(3);
    expect(stats.connectionsByProtocol).toEqual({ '0.6': 3, '0.9': 0, eio3: 0, eio4: 0 });
    expect(stats.connectionsByTransport).toMatchObject({ websocket: 1, 'xhr-polling': 2 });
  });
});
