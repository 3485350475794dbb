/**
 * Seeded fuzzing: random and mutated payloads through the decoder and the
 * live websocket and POST paths. Nothing may throw out of the server, and
 * every other client must keep being served. Reproduce a failure with
 * FUZZ_SEED=<seed>.
 */
import WebSocket from 'ws';
import { decodePayload, interpretMessage } from '../../src/protocols/v06/codec';
import { connect, formBody, httpRequest } from '../helpers/test-client';
import { payloadGenerator, seededRandom } from '../helpers/random';
import { startEchoServer, type TestServer } from '../helpers/server';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);

describe(`fuzz (seed ${SEED})`, () => {
  it('100,000 payloads through the decoder: results or reported errors, never a throw', () => {
    const next = payloadGenerator(seededRandom(SEED));
    let decoded = 0;
    let rejected = 0;
    for (let i = 0; i < 100_000; i++) {
      const payload = next();
      const result = decodePayload(payload);
      for (const message of result.messages) {
        if (message.length > payload.length) throw new Error(`decoded more than was sent: ${JSON.stringify(payload)}`);
        interpretMessage(message);
      }
      if (result.error) rejected++;
      else decoded++;
    }
    // The generator must exercise both paths, or this test proves nothing.
    expect(decoded).toBeGreaterThan(10_000);
    expect(rejected).toBeGreaterThan(10_000);
  });

  describe('live paths', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startEchoServer({ heartbeatInterval: 60, xhrPollingTimeout: 1 });
    });
    afterAll(async () => server.close());

    it('20,000 payloads over a websocket, then everyone still echoes', async () => {
      const bystander = await connect('websocket', server.port);
      const next = payloadGenerator(seededRandom(SEED + 1));
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/websocket`);
      socket.on('message', () => undefined);
      await new Promise((resolve, reject) => {
        socket.once('message', resolve);
        socket.once('error', reject);
      });
      for (let batch = 0; batch < 20; batch++) {
        for (let i = 0; i < 1000; i++) socket.send(next());
        await new Promise<void>((resolve, reject) => socket.send('~m~4~m~sync', (error) => (error ? reject(error) : resolve())));
      }
      // The fuzzing connection itself is still alive and served.
      const echoed = new Promise<string>((resolve) => socket.on('message', (data) => data.toString().includes('after fuzz') && resolve(data.toString())));
      socket.send('~m~10~m~after fuzz');
      expect(await echoed).toContain('~m~10~m~after fuzz');
      await bystander.send('bystander');
      expect(await bystander.waitForMessages(1)).toEqual(['bystander']);
      socket.close();
      bystander.close();
    });

    it('2,000 payloads over POST, each answered with a status, then everyone still echoes', async () => {
      const handshake = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling//${Date.now()}`);
      const sid = handshake.body.slice(-24);
      const next = payloadGenerator(seededRandom(SEED + 2));
      const random = seededRandom(SEED + 3);
      const statuses = new Map<number, number>();
      for (let i = 0; i < 2000; i++) {
        const payload = next();
        // Most bodies are well formed; some are raw noise, some lack the field.
        const roll = random();
        // (encodeURIComponent refuses lone surrogates, as the browser client would.)
        const body = roll < 0.8 ? formBody(payload.replace(/[\ud800-\udfff]/g, '\ufffd')) : roll < 0.9 ? payload : `data=${payload}`;
        const result = await httpRequest(server.port, 'POST', `/socket.io/xhr-polling/${sid}/send`, body, {
          'Content-Type': 'application/x-www-form-urlencoded',
        });
        statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
      }
      expect([...statuses.keys()].every((status) => status === 200 || status === 400)).toBe(true);
      const bystander = await connect('xhr-polling', server.port);
      await bystander.send('still served');
      expect(await bystander.waitForMessages(1)).toEqual(['still served']);
      bystander.close();
    });
  });
});
