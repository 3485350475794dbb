import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import express from 'express';
import WebSocket from 'ws';
import { Application, getRouter, silentLogger, SocketConnection, SocketServer, type ConnectionInfo, type IncomingMessage } from '../../src';
import { connect, httpRequest, waitFor } from '../helpers/test-client';
import { RecordingLogger, startEchoServer, type TestServer } from '../helpers/server';

const ROOT = join(__dirname, '../..');

class Echo extends SocketConnection {
  override onMessage(message: IncomingMessage): void {
    if (message === 'shout') return this.broadcast('everyone but me');
    this.send(message);
  }
}

describe('broadcast and the connection registry', () => {
  let server: TestServer;
  afterEach(async () => server.close());

  it('reaches every open connection over every transport, with exclusions', async () => {
    server = await startEchoServer();
    const clients = await Promise.all([connect('websocket', server.port), connect('xhr-polling', server.port), connect('htmlfile', server.port)]);
    await waitFor(() => server.router.connections.size === 3, 2000, 'three connections');
    const [ws, polling, htmlfile] = clients;
    server.router.broadcast('to all');
    server.router.broadcast({ json: true }, server.router.connections.get(ws.sessionId));
    server.router.broadcast('only htmlfile', [server.router.connections.get(ws.sessionId)!, server.router.connections.get(polling.sessionId)!]);
    expect(await ws.waitForMessages(1)).toEqual(['to all']);
    expect(await polling.waitForMessages(2)).toEqual(['to all', '~j~{"json":true}']);
    expect(await htmlfile.waitForMessages(3)).toEqual(['to all', '~j~{"json":true}', 'only htmlfile']);
    for (const client of clients) client.close();
  });

  it('connection.broadcast() sends to everyone else', async () => {
    server = await startEchoServer();
    const a = await connect('websocket', server.port);
    const b = await connect('jsonp-polling', server.port);
    await waitFor(() => server.router.connections.size === 2, 2000, 'two connections');
    server.router.connections.get(a.sessionId)!.broadcast('from a');
    expect(await b.waitForMessages(1)).toEqual(['from a']);
    // Not to a: an echo round trip on a comes after the broadcast on the same ordered socket, so
    // a broadcast that reached a would arrive before it.
    await a.send('after');
    expect(await a.waitForMessages(1)).toEqual(['after']);
    expect(a.messages).toEqual(['after']);
    a.close();
    b.close();
  });

  it('counts traffic in router.stats', async () => {
    server = await startEchoServer();
    const ws = await connect('websocket', server.port);
    const polling = await connect('xhr-polling', server.port);
    await ws.send('a', 'b');
    await polling.send('c');
    await ws.waitForMessages(2);
    await polling.waitForMessages(1);
    const stats = server.router.stats;
    expect(stats.connections).toBe(2);
    expect(stats.connectionsByTransport).toMatchObject({ websocket: 1, 'xhr-polling': 1, htmlfile: 0 });
    expect(stats.sessionsCreated).toBe(2);
    expect(stats.messagesIn).toBe(3);
    expect(stats.messagesOut).toBe(3); // the echoes ; session ids are not counted
    expect(stats.bytesIn).toBeGreaterThan(0);
    expect(stats.bytesOut).toBeGreaterThan(0);
    ws.close();
    await waitFor(() => server.router.stats.sessionsClosed === 1, 2000, 'a close counted');
    polling.close();
  });
});

describe('attaching to an existing server', () => {
  let httpServer: Server;
  afterEach(async () => {
    httpServer.closeAllConnections();
    await new Promise((resolve) => httpServer.close(resolve));
  });

  it('serves socket.io next to an Express app, which keeps every other request', async () => {
    const app = express();
    app.get('/', (_req, res) => {
      res.send('express home');
    });
    httpServer = createServer(app);
    const router = getRouter(Echo, { logger: silentLogger }).attach(httpServer);
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const port = (httpServer.address() as { port: number }).port;

    expect(await httpRequest(port, 'GET', '/')).toMatchObject({ status: 200, body: 'express home' });
    expect((await httpRequest(port, 'GET', '/missing')).status).toBe(404);
    const ws = await connect('websocket', port);
    const polling = await connect('xhr-polling', port);
    await ws.send('over ws');
    await polling.send('over polling');
    expect(await ws.waitForMessages(1)).toEqual(['over ws']);
    expect(await polling.waitForMessages(1)).toEqual(['over polling']);
    expect(router.connections.size).toBe(2);
    ws.close();
    polling.close();
    router.close();
  });

  it('leaves upgrades on other paths to their own listeners', async () => {
    httpServer = createServer((_req, res) => res.end('plain'));
    const other = new WebSocket.Server({ noServer: true });
    getRouter(Echo, { logger: silentLogger }).attach(httpServer);
    httpServer.on('upgrade', (req, socket, head) => {
      if (req.url === '/other') other.handleUpgrade(req, socket, head, (ws) => ws.send('other server'));
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const port = (httpServer.address() as { port: number }).port;
    const message = await new Promise<string>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/other`);
      socket.on('message', (data) => {
        resolve(data.toString());
        socket.close();
      });
      socket.on('error', reject);
    });
    expect(message).toBe('other server');
    const ours = await connect('websocket', port);
    expect(ours.sessionId).toBeTruthy();
    ours.close();
    other.close();
  });

  it('works on an https.Server too (see TLS below) and on several routers at once', async () => {
    class Upper extends SocketConnection {
      override onMessage(message: IncomingMessage): void {
        this.send(String(message).toUpperCase());
      }
    }
    const chat = getRouter(Echo, { resource: 'chat', logger: silentLogger });
    const shout = getRouter(Upper, { resource: 'shout', logger: silentLogger });
    httpServer = createServer();
    chat.attach(httpServer);
    shout.attach(httpServer);
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const port = (httpServer.address() as { port: number }).port;
    const a = await connect('websocket', port, { resource: 'chat' });
    const b = await connect('xhr-polling', port, { resource: 'shout' });
    await a.send('hi');
    await b.send('hi');
    expect(await a.waitForMessages(1)).toEqual(['hi']);
    expect(await b.waitForMessages(1)).toEqual(['HI']);
    expect((await httpRequest(port, 'GET', '/elsewhere')).status).toBe(404);
    a.close();
    b.close();
  });
});

describe('several routers in one Application', () => {
  it('serves each resource with its own connection class', async () => {
    const opened: string[] = [];
    class Chat extends SocketConnection {
      override onOpen(info: ConnectionInfo) {
        opened.push(`chat ${info.transport}`);
      }
      override onMessage(message: IncomingMessage): void {
        this.send(`chat:${String(message)}`);
      }
    }
    class Ping extends SocketConnection {
      override onOpen(info: ConnectionInfo) {
        opened.push(`ping ${info.transport}`);
      }
      override onMessage(message: IncomingMessage): void {
        this.send(`ping:${String(message)}`);
      }
    }
    const chat = getRouter(Chat, { resource: 'chat', logger: silentLogger });
    const ping = getRouter(Ping, { resource: 'ping', logger: silentLogger });
    const server = new SocketServer(new Application([chat.route(), ping.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger }));
    await server.listening;
    try {
      const a = await connect('websocket', server.port, { resource: 'chat' });
      const b = await connect('jsonp-polling', server.port, { resource: 'ping' });
      await a.send('x');
      await b.send('y');
      expect(await a.waitForMessages(1)).toEqual(['chat:x']);
      expect(await b.waitForMessages(1)).toEqual(['ping:y']);
      expect(opened.sort()).toEqual(['chat websocket', 'ping jsonp-polling']);
      expect(chat.connections.size).toBe(1);
      expect(ping.connections.size).toBe(1);
      a.close();
      b.close();
    } finally {
      await server.close();
    }
  });
});

describe('the client file', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startEchoServer();
  });
  afterAll(async () => server.close());
  const original = readFileSync(join(ROOT, 'vendor/socket.io-client-0.6/socket.io.js'));

  it('is served with an ETag and revalidated with 304', async () => {
    const first = await httpRequest(server.port, 'GET', '/socket.io/socket.io.js');
    expect(first.status).toBe(200);
    expect(first.body).toBe(original.toString('utf8'));
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);
    const second = await httpRequest(server.port, 'GET', '/socket.io/socket.io.js', undefined, { 'If-None-Match': etag });
    expect(second.status).toBe(304);
    expect(second.body).toBe('');
  });

  it('is gzipped when the client accepts it', async () => {
    const body = await new Promise<Buffer>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/socket.io/socket.io.js', headers: { 'Accept-Encoding': 'gzip, deflate' } }, (res) => {
        expect(res.headers['content-encoding']).toBe('gzip');
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body.length).toBeLessThan(original.length / 2);
    expect(gunzipSync(body).equals(original)).toBe(true);
  });
});

describe('TLS', () => {
  it('serves https polling and wss with a self-signed certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tornadio-tls-'));
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ], { stdio: 'ignore', timeout: 30000 });
      const ssl = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
      const router = getRouter(Echo, { logger: silentLogger });
      let secure: boolean | undefined;
      class Secure extends Echo {
        override onOpen(info: ConnectionInfo) {
          secure = info.request.secure;
        }
      }
      const secureRouter = getRouter(Secure, { resource: 'secure', logger: silentLogger });
      const server = new SocketServer(new Application([router.route(), secureRouter.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger }), { ssl });
      await server.listening;
      try {
        const echoed = await new Promise<string>((resolve, reject) => {
          const socket = new WebSocket(`wss://127.0.0.1:${server.port}/secure/websocket`, { rejectUnauthorized: false });
          socket.on('message', (data) => {
            const text = data.toString();
            if (text.includes('over tls')) {
              resolve(text);
              socket.close();
            } else socket.send('~m~8~m~over tls');
          });
          socket.on('error', reject);
        });
        expect(echoed).toBe('~m~8~m~over tls');
        expect(secure).toBe(true);
        const handshake = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpsRequest({ host: '127.0.0.1', port: server.port, path: '/socket.io/xhr-polling//1', rejectUnauthorized: false }, (res) => {
            let body = '';
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          req.end();
        });
        expect(handshake.status).toBe(200);
        expect(handshake.body).toMatch(/^~m~24~m~/);
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('logging and proxies', () => {
  it('logs an exception from user code with the session id, to a user-supplied logger', async () => {
    const logger = new RecordingLogger();
    const server = await startEchoServer({ logger });
    try {
      const client = await connect('websocket', server.port);
      await client.send('throw');
      await client.closed;
      expect(logger.lines.some((line) => line.startsWith('error') && line.includes(client.sessionId) && line.includes('user code failed'))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('trusts X-Forwarded-For only when told to', async () => {
    for (const trustProxy of [false, true]) {
      const server = await startEchoServer({ trustProxy });
      try {
        await httpRequest(server.port, 'GET', '/socket.io/xhr-polling//1?room=a&x=1&x=2', undefined, {
          'X-Forwarded-For': '203.0.113.7, 10.0.0.1',
          Cookie: 'user=alice; theme="dark"',
        });
        const info = server.log.opened[0];
        expect(info.request.remoteAddress).toBe(trustProxy ? '203.0.113.7' : '127.0.0.1');
        expect(info.request.query).toEqual({ room: 'a', x: ['1', '2'] });
        expect(info.request.cookies).toEqual({ user: 'alice', theme: 'dark' });
      } finally {
        await server.close();
      }
    }
  });
});

describe('graceful shutdown', () => {
  it('closes every session and lets the process exit on its own', async () => {
    const script = `
      const { SocketConnection, getRouter, Application, SocketServer } = require(${JSON.stringify(join(ROOT, 'dist'))});
      const WebSocket = require(${JSON.stringify(require.resolve('ws'))});
      const http = require('node:http');
      let closed = 0;
      class Echo extends SocketConnection { onMessage(m) { this.send(m); } onClose() { closed++; } }
      const router = getRouter(Echo, { heartbeatInterval: 0.2, sessionCheckInterval: 0.2 });
      const server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1' }));
      server.listening.then(async () => {
        const agent = new http.Agent({ keepAlive: true });
        const sockets = [];
        for (let i = 0; i < 5; i++) {
          const ws = new WebSocket('ws://127.0.0.1:' + server.port + '/socket.io/websocket');
          await new Promise((resolve) => ws.once('message', resolve));
          sockets.push(ws);
        }
        for (let i = 0; i < 5; i++) {
          await new Promise((resolve) => http.get({ host: '127.0.0.1', port: server.port, path: '/socket.io/xhr-polling//1', agent }, (res) => { res.resume(); res.on('end', resolve); }));
        }
        // one htmlfile stream left open: wait for its session id script, so that its session is open
        await new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no session id on the htmlfile stream within 5 s')), 5000);
          let text = '';
          http.get({ host: '127.0.0.1', port: server.port, path: '/socket.io/htmlfile//1', agent }, (res) => {
            res.setEncoding('utf8');
            res.on('data', (chunk) => {
              text += chunk;
              if (text.includes('</script>')) {
                clearTimeout(timer);
                resolve();
              }
            });
          }).on('error', reject);
        });
        const open = router.connections.size;
        await server.close();
        agent.destroy();
        console.log(JSON.stringify({ open, closed, after: router.connections.size }));
      });
    `;
    const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, NODE_DEBUG: 'tornadio' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the process did not exit on its own; stdout: ${stdout}`));
      }, 10000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    if (code !== 0) throw new Error(`the process exited with ${code}; stdout: ${stdout}; stderr ends: ${stderr.slice(-2000)}`);
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim())).toEqual({ open: 11, closed: 11, after: 0 });
    // NODE_DEBUG=tornadio turns the namespaced logger on.
    expect(stderr).toMatch(/TORNADIO \d+: debug \[session [A-Za-z0-9_-]{24}\] closing: server shutting down/);
  });
});
