/**
 * The tests that every transport of the real 0.6 client passes alike, for
 * the test files of those transports (websocket, xhr-polling, jsonp-polling)
 * to run first, inside their own describe.
 */
import type { SocketRouter } from 'tornadio';
import type { HarnessPage } from './browser';
import type { ServerRecord } from './echo-server';

/** One transport as its test file drives it. */
export interface TransportUnderTest {
  /** The transport's name, as the client and ConnectionInfo spell it. */
  name: string;
  /** The test page of the running test. */
  client(): HarnessPage;
  /** The router the page connects to. */
  router(): SocketRouter;
  /** Connects the page over this transport only; resolves to what the server recorded of the session. */
  connect(): Promise<ServerRecord>;
}

/**
 * The client connects over `transport`, and the server sees it do so; a
 * string, a JSON object and `unicode` (text well beyond ASCII) are echoed
 * exactly.
 */
export function testConnectAndEcho(transport: TransportUnderTest, unicode: string): void {
  test(`connects, and the server sees onOpen with transport ${transport.name}`, async () => {
    const record = await transport.connect();
    const client = transport.client();

    expect(await client.evaluate('harness.socket.transport.type')).toBe(transport.name);
    expect(await client.events()).toEqual(['connecting', 'connect']);
    expect(record.info.transport).toBe(transport.name);
    expect(record.info.request.remoteAddress).toBe('127.0.0.1');
    expect(transport.router().connections.get(record.info.sessionId)?.transport).toBe(transport.name);
  });

  test('echoes a string', async () => {
    const record = await transport.connect();
    const client = transport.client();

    await client.send('hello, tornadio');

    expect(await client.waitForMessages(1)).toEqual(['hello, tornadio']);
    expect(record.received).toEqual(['hello, tornadio']);
  });

  test('echoes a JSON object, which arrives parsed', async () => {
    const record = await transport.connect();
    const client = transport.client();
    const value = { text: 'hi', count: 3, ok: true, nothing: null, nested: { list: [1, 'two', { three: 3 }] } };

    await client.send(value);

    const [echoed] = await client.waitForMessages(1);
    expect(echoed).toEqual(value);
    expect(record.received).toEqual([value]);
  });

  test('echoes emoji, accents, CJK, astral characters and combining marks exactly', async () => {
    const record = await transport.connect();
    const client = transport.client();

    await client.send(unicode);

    expect(await client.waitForMessages(1)).toEqual([unicode]);
    expect(record.received).toEqual([unicode]);
  });
}
