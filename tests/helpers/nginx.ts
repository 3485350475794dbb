import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from './child-process';
import { freePort, retryOnPortClash } from './free-port';

/** A real nginx of our own: plain round-robin over `upstreamPorts`, no stickiness, websocket upgrades passed. */
export interface TestNginx {
  readonly port: number;
  readonly pid: number;
  /** Stops it (by its pid) and removes its directory. */
  stop(): Promise<void>;
}

/** The configuration the README's deployment section shows, with paths of our own. */
export function nginxConfig(dir: string, port: number, upstreamPorts: readonly number[]): string {
  return `worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream tornadio {
${upstreamPorts.map((upstream) => `    server 127.0.0.1:${upstream} max_fails=0;`).join('\n')}
    keepalive 16;
  }
  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' '';
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://tornadio;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 60s;
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
`;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A real nginx balancing over these ports, on a free port of its own (another one if that was taken meanwhile). */
export function startNginx(upstreamPorts: readonly number[], timeoutMs = 10000): Promise<TestNginx> {
  return retryOnPortClash(() => startNginxOnce(upstreamPorts, timeoutMs));
}

async function startNginxOnce(upstreamPorts: readonly number[], timeoutMs: number): Promise<TestNginx> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tornadio-nginx-'));
  // nginx's workers may run as another user than its master: let them write their temp files.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'tmp'), { mode: 0o777 });
  chmodSync(join(dir, 'tmp'), 0o777);
  const config = join(dir, 'nginx.conf');
  writeFileSync(config, nginxConfig(dir, port, upstreamPorts));
  const child: ChildProcess = spawn('nginx', ['-p', dir, '-c', config, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`nginx not listening on ${port} after ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    port,
    pid: child.pid ?? 0,
    async stop() {
      await stopChild(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
