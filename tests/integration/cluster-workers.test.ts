import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ClusterHealth } from '../../src';
import { stopChild, waitForOutput } from '../helpers/child-process';
import { connectV4, eventually } from '../helpers/cluster-clients';
import { freePort, retryOnPortClash } from '../helpers/free-port';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { connect as connect06, httpRequest } from '../helpers/test-client';

// Three workers of Node's `cluster` on one port (tests/helpers/cluster-node-workers.js):
// Node hands each new TCP connection to the next worker, so a session's
// requests land on several workers and reach its owner by forwarding.
jest.setTimeout(30000);

const WORKERS = 3;
let redis: TestRedis;
let primary: ChildProcess;
let port: number;
let ownPorts: number[] = [];
const clients: Array<{ close(): void }> = [];

async function healths(): Promise<ClusterHealth[]> {
  return Promise.all(ownPorts.map(async (own) => JSON.parse((await httpRequest(own, 'GET', '/health')).body) as ClusterHealth));
}

beforeAll(async () => {
  redis = await startRedis();
  await retryOnPortClash(async () => {
    port = await freePort();
    const started = spawn(process.execPath, [join(__dirname, '..', 'helpers', 'cluster-node-workers.js')], {
      env: { ...process.env, TORNADIO_TEST_WORKERS: JSON.stringify({ port, redis: redis.url, workers: WORKERS }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    primary = started;
    let output = '';
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitForOutput(started, /"ready":true/, 'the cluster primary', 20000);
    } catch (error) {
      await stopChild(started, 'SIGTERM', 8000);
      throw error;
    }
    ownPorts = (JSON.parse(output.split('\n').find((line) => line.includes('"ready"')) ?? '{}') as { ports: number[] }).ports;
  });
  await eventually('every worker to see the others', async () => (await healths()).every((health) => health.nodes.length === WORKERS));
});

afterAll(async () => {
  for (const client of clients.splice(0)) client.close();
  if (primary) await stopChild(primary, 'SIGTERM', 8000);
  await redis?.destroy();
});

test('workers of one port serve a v4 polling-only client in order, forwarding to its owner', async () => {
  const before = (await healths()).reduce((sum, health) => sum + health.forwarded.requests + health.forwarded.relayed, 0);
  const client = await connectV4(`http://127.0.0.1:${port}`, { transports: ['polling'] });
  clients.push(client);
  const errors: string[] = [];
  client.socket.on('disconnect', (reason) => errors.push(reason));
  const count = 30;
  for (let i = 0; i < count; i++) client.socket.emit('echo', i);
  const echoes = await client.waitForEvents('echo', count, 20000);
  expect(echoes.map((event) => event[1])).toEqual(Array.from({ length: count }, (_, i) => i));
  expect(errors).toEqual([]);
  const after = await healths();
  expect(after.reduce((sum, health) => sum + health.forwarded.requests + health.forwarded.relayed, 0)).toBeGreaterThan(before);
  expect(after.reduce((sum, health) => sum + health.forwarded.failures, 0)).toBe(0);
});

test('workers of one port serve a 0.6 xhr-polling client in order', async () => {
  const client = await connect06('xhr-polling', port, {}, 10000);
  clients.push(client);
  const count = 20;
  for (let i = 0; i < count; i++) await client.send(`w${i}`);
  expect(await client.waitForMessages(count, 20000)).toEqual(Array.from({ length: count }, (_, i) => `w${i}`));
});
