import { request } from 'node:http';
import { formBody, httpRequest, waitFor } from '../helpers/test-client';
import { expireProbeSession, startEchoServer, type TestServer } from '../helpers/server';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' };

/** Opens an xhr-polling session by hand; returns its id. */
async function handshake(port: number, transport = 'xhr-polling', headers: Record<string, string> = {}): Promise<string> {
  const suffix = transport === 'jsonp-polling' ? '/0' : '';
  const result = await httpRequest(port, 'GET', `/socket.io/${transport}//${Date.now()}${suffix}`, undefined, headers);
  expect(result.status).toBe(200);
  const payload = transport === 'jsonp-polling' ? unwrapJsonp(result.body, 0) : result.body;
  const match = /^~m~24~m~([A-Za-z0-9_-]{24})$/.exec(payload);
  if (!match) throw new Error(`unexpected handshake body ${result.body}`);
  return match[1];
}

function unwrapJsonp(script: string, index: number): string {
  const calls: string[] = [];
  new Function('io', script)({ JSONP: { [index]: { _: (data: string) => calls.push(data) } } });
  expect(calls).toHaveLength(1);
  return calls[0];
}

describe('polling sessions', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startEchoServer({ xhrPollingTimeout: 0.3, sessionExpiry: 0.5, sessionCheckInterval: 0.1, maxBodySize: 4096 });
  });
  afterEach(async () => {
    await server.close();
  });

  it('queues messages while no GET is open and delivers them, in order, on the next', async () => {
    const sid = await handshake(server.port);
    const connection = server.log.connections.get(sid)!;
    connection.send('one');
    connection.send({ two: 2 });
    connection.send(['three', '😀']);
    const poll = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling/${sid}/${Date.now()}`);
    expect(poll.status).toBe(200);
    expect(poll.body).toBe('~m~3~m~one~m~12~m~~j~{"two":2}~m~5~m~three~m~2~m~😀');
    expect(poll.headers['content-type']).toBe('text/plain; charset=UTF-8');
    expect(Number(poll.headers['content-length'])).toBe(Buffer.byteLength(poll.body));
  });

  it('answers an idle long-poll with an empty 200 after xhrPollingTimeout', async () => {
    const sid = await handshake(server.port);
    const poll = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling/${sid}/${Date.now()}`);
    expect(poll.status).toBe(200);
    expect(poll.body).toBe('');
    expect(poll.headers['content-length']).toBe('0');
  });

  it('answers an idle jsonp poll with exactly one io.JSONP call', async () => {
    const sid = await handshake(server.port, 'jsonp-polling');
    const poll = await httpRequest(server.port, 'GET', `/socket.io/jsonp-polling/${sid}/${Date.now()}/0`);
    expect(poll.status).toBe(200);
    expect(poll.body).toBe('io.JSONP[0]._("");');
    expect(poll.headers['content-type']).toBe('text/javascript; charset=UTF-8');
  });

  it('delivers to the newer of two concurrent GETs and answers the older one empty', async () => {
    const sid = await handshake(server.port);
    const first = httpRequest(server.port, 'GET', `/socket.io/xhr-polling/${sid}/1`);
    // The first GET must be attached to the session (not merely sent) before the second one comes.
    await waitFor(() => server.router.session(sid)?.attached === true, 1000, 'the first GET to attach');
    const second = httpRequest(server.port, 'GET', `/socket.io/xhr-polling/${sid}/2`);
    const firstResult = await first;
    expect(firstResult).toMatchObject({ status: 200, body: '' });
    server.log.connections.get(sid)!.send('for the second');
    expect(await second).toMatchObject({ status: 200, body: '~m~14~m~for the second' });
  });

  it('expires a session with no GET and calls onClose once', async () => {
    const sid = await handshake(server.port);
    await waitFor(() => server.log.closed.includes(sid), 3000, 'expiry');
    // "Once": let later sweeps run (a probe session expiring takes several) before counting.
    const probe = await expireProbeSession(server);
    expect(server.log.closed).toEqual([sid, probe]);
    const poll = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling/${sid}/${Date.now()}`);
    expect(poll.status).toBe(404);
  });

  it('keeps a session alive across polls longer than its expiry (sliding expiry)', async () => {
    const sid = await handshake(server.port);
    const until = Date.now() + 1200;
    while (Date.now() < until) {
      const poll = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling/${sid}/${Date.now()}`);
      expect(poll.status).toBe(200);
    }
    expect(server.log.closed).toEqual([]);
  });

  it.each([
    ['GET', '/socket.io/xhr-polling/AAAAAAAAAAAAAAAAAAAAAAAA/1'],
    ['POST', '/socket.io/xhr-polling/AAAAAAAAAAAAAAAAAAAAAAAA/send'],
    ['GET', '/socket.io/xhr-polling/not-an-id/1'],
    ['GET', '/socket.io/jsonp-polling/AAAAAAAAAAAAAAAAAAAAAAAA/1/0'],
    ['GET', '/socket.io/htmlfile/AAAAAAAAAAAAAAAAAAAAAAAA/1'],
    ['POST', '/socket.io/xhr-multipart/AAAAAAAAAAAAAAAAAAAAAAAA/send'],
  ])('refuses %s %s with 404 and never adopts the id', async (method, path) => {
    const result = await httpRequest(server.port, method, path, method === 'POST' ? formBody('~m~1~m~x') : undefined, FORM);
    expect(result.status).toBe(404);
    expect(result.body).toContain('UNKNOWN_SESSION');
    expect(server.log.opened).toEqual([]);
    expect(server.router.connections.size).toBe(0);
  });

  it('refuses a session id used on another transport', async () => {
    const sid = await handshake(server.port);
    const result = await httpRequest(server.port, 'GET', `/socket.io/jsonp-polling/${sid}/1/0`);
    expect(result.status).toBe(404);
  });

  it('refuses a disabled transport with 403', async () => {
    await server.close();
    server = await startEchoServer({ enabledProtocols: ['websocket'] });
    const result = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling//${Date.now()}`);
    expect(result.status).toBe(403);
    expect(result.body).toContain('TRANSPORT_DISABLED');
  });

  it('refuses unknown transports, bad POST paths and methods with 4xx', async () => {
    const sid = await handshake(server.port);
    expect((await httpRequest(server.port, 'GET', '/socket.io/carrier-pigeon//1')).status).toBe(400);
    expect((await httpRequest(server.port, 'POST', `/socket.io/xhr-polling/${sid}/oops`, formBody('~m~1~m~x'), FORM)).status).toBe(400);
    expect((await httpRequest(server.port, 'DELETE', `/socket.io/xhr-polling/${sid}/1`)).status).toBe(405);
    expect((await httpRequest(server.port, 'GET', '/socket.io/websocket')).status).toBe(400);
    expect((await httpRequest(server.port, 'GET', '/nowhere')).status).toBe(404);
  });

  it('answers 400 to a POST without a data field or with invalid UTF-8, and keeps the session', async () => {
    const sid = await handshake(server.port);
    const path = `/socket.io/xhr-polling/${sid}/send`;
    expect((await httpRequest(server.port, 'POST', path, 'nothing=here', FORM)).status).toBe(400);
    expect((await httpRequest(server.port, 'POST', path, Buffer.from([0x64, 0x61, 0x74, 0x61, 0x3d, 0xff, 0xfe]), FORM)).status).toBe(400);
    expect((await httpRequest(server.port, 'POST', path, formBody('~m~2~m~ok'), FORM)).status).toBe(200);
    const poll = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling/${sid}/1`);
    expect(poll.body).toBe('~m~2~m~ok');
  });

  it('answers 413 to an oversized body, declared or chunked, without reading it all', async () => {
    const sid = await handshake(server.port);
    const path = `/socket.io/xhr-polling/${sid}/send`;
    const declared = await httpRequest(server.port, 'POST', path, formBody('x'.repeat(10000)), FORM);
    expect(declared.status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, method: 'POST', path, headers: { ...FORM, 'Transfer-Encoding': 'chunked' } }, (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      req.on('error', reject);
      // Keep writing: the server must answer before we stop.
      const chunk = 'data=' + 'y'.repeat(1000);
      let written = 0;
      const pump = (): void => {
        while (written < 200 && req.write(chunk)) written++;
        if (written < 200) req.once('drain', pump);
        else req.end();
      };
      pump();
    });
    expect(chunked).toBe(413);
    const ok = await httpRequest(server.port, 'POST', path, formBody('~m~2~m~ok'), FORM);
    expect(ok.status).toBe(200);
  });

  it('jsonp: refuses indexes that are not small decimal numbers', async () => {
    for (const index of ['x', '-1', '1e3', '12345678', '0x10', '']) {
      const result = await httpRequest(server.port, 'GET', `/socket.io/jsonp-polling//1/${encodeURIComponent(index)}`);
      expect(result.status).toBe(400);
    }
    expect(server.log.opened).toEqual([]);
  });

  it('jsonp: accepts the form POST with CRLF line breaks and + for spaces', async () => {
    const sid = await handshake(server.port, 'jsonp-polling');
    const message = 'two\nlines and spaces';
    // What a browser sends for a textarea: CRLF, then form encoding with "+".
    const body = 'data=' + encodeURIComponent(`~m~${message.length}~m~${message}`.replace(/\n/g, '\r\n')).replace(/%20/g, '+');
    const post = await httpRequest(server.port, 'POST', `/socket.io/jsonp-polling/${sid}/${Date.now()}/0`, body, {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(post.status).toBe(200);
    expect(server.log.messages.map((entry) => entry.message)).toEqual([message]);
  });

  it('answers the POST that made the server close before failing the pending GET', async () => {
    const sid = await handshake(server.port);
    const order: string[] = [];
    const get = httpRequest(server.port, 'GET', `/socket.io/xhr-polling/${sid}/1`).then((result) => {
      order.push(`get ${result.status}`);
      return result;
    });
    // The POST must find the GET pending on the session.
    await waitFor(() => server.router.session(sid)?.attached === true, 1000, 'the GET to attach');
    const post = httpRequest(server.port, 'POST', `/socket.io/xhr-polling/${sid}/send`, formBody('~m~8~m~close-me'), FORM).then((result) => {
      order.push(`post ${result.status}`);
      return result;
    });
    await Promise.all([get, post]);
    expect(order).toEqual(['post 200', 'get 404']);
    expect(server.log.closed).toEqual([sid]);
  });

  it('lets a closed session hand its last messages to the next GET, then refuses', async () => {
    const sid = await handshake(server.port);
    const connection = server.log.connections.get(sid)!;
    connection.send('last words');
    connection.close();
    expect(server.log.closed).toEqual([sid]);
    const last = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling/${sid}/1`);
    expect(last).toMatchObject({ status: 200, body: '~m~10~m~last words' });
    const after = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling/${sid}/2`);
    expect(after.status).toBe(404);
  });
});

describe('CORS and origins', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startEchoServer({ origins: ['good.example:80', 'any-port.example:*', '*:8443'], xhrPollingTimeout: 0.2 });
  });
  afterEach(async () => {
    await server.close();
  });

  it.each([
    ['http://good.example', true],
    ['http://good.example:80', true],
    ['http://good.example:8080', false],
    ['http://any-port.example:1234', true],
    ['https://elsewhere.example:8443', true],
    ['http://evil.example', false],
    ['null', false],
    ['not a url', false],
  ])('origin %s allowed: %s', async (origin, allowed) => {
    const result = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling//${Date.now()}`, undefined, { Origin: origin });
    if (allowed) {
      expect(result.status).toBe(200);
      expect(result.headers['access-control-allow-origin']).toBe(origin);
      expect(result.headers['access-control-allow-credentials']).toBe('true');
    } else {
      expect(result.status).toBe(403);
      expect(result.headers['access-control-allow-origin']).toBeUndefined();
      expect(server.log.opened).toEqual([]);
    }
  });

  it('answers a preflight for an allowed origin', async () => {
    const result = await httpRequest(server.port, 'OPTIONS', '/socket.io/xhr-polling/x/send', undefined, {
      Origin: 'http://good.example',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type',
    });
    expect(result.status).toBe(204);
    expect(result.headers['access-control-allow-origin']).toBe('http://good.example');
    expect(result.headers['access-control-allow-methods']).toContain('POST');
    expect(result.headers['access-control-allow-headers']).toBe('content-type');
  });

  it('refuses a preflight for a forbidden origin', async () => {
    const result = await httpRequest(server.port, 'OPTIONS', '/socket.io/xhr-polling/x/send', undefined, {
      Origin: 'http://evil.example',
      'Access-Control-Request-Method': 'POST',
    });
    expect(result.status).toBe(403);
  });

  it('sends CORS headers on POSTs too', async () => {
    const handshakeResult = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling//${Date.now()}`, undefined, { Origin: 'http://good.example' });
    const sid = handshakeResult.body.slice(-24);
    const post = await httpRequest(server.port, 'POST', `/socket.io/xhr-polling/${sid}/send`, formBody('~m~1~m~x'), { ...FORM, Origin: 'http://good.example' });
    expect(post.status).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBe('http://good.example');
    const denied = await httpRequest(server.port, 'POST', `/socket.io/xhr-polling/${sid}/send`, formBody('~m~1~m~y'), { ...FORM, Origin: 'http://evil.example' });
    expect(denied.status).toBe(403);
    expect(server.log.messages.map((entry) => entry.message)).toEqual(['x']);
  });
});

describe('streaming transports', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startEchoServer({ heartbeatInterval: 5 });
  });
  afterEach(async () => {
    await server.close();
  });

  /** Opens a streaming GET and returns what arrives, chunk by chunk, while it stays open. */
  function openStream(path: string) {
    const chunks: string[] = [];
    let headers: Record<string, unknown> = {};
    let ended = false;
    const req = request({ host: '127.0.0.1', port: server.port, path, agent: false }, (res) => {
      headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => chunks.push(chunk));
      res.on('end', () => (ended = true));
    });
    req.on('error', () => undefined);
    req.end();
    return { chunks, headers: () => headers, ended: () => ended, text: () => chunks.join(''), destroy: () => req.destroy() };
  }

  it('htmlfile: padding first, then one script per message, flushed while the response is open', async () => {
    const stream = openStream(`/socket.io/htmlfile//${Date.now()}`);
    await waitFor(() => stream.text().includes('</script>'), 3000, 'session id script');
    const text = stream.text();
    expect(stream.headers()['content-type']).toBe('text/html; charset=UTF-8');
    expect(stream.headers()['transfer-encoding']).toBe('chunked');
    expect(text.startsWith(`<html><body>${' '.repeat(256)}`)).toBe(true);
    expect(text.indexOf('<script>')).toBeGreaterThanOrEqual(256);
    const sid = /parent\.s\._\("~m~24~m~([^"]+)", document\);/.exec(text)![1];
    server.log.connections.get(sid)!.send('</script><script>alert(1)</script>');
    await waitFor(() => stream.text().split('</script>').length - 1 >= 2, 3000, 'second script');
    expect(stream.ended()).toBe(false);
    expect(stream.text()).toContain(
      '<script>parent.s._("~m~34~m~\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e", document);</script>',
    );
    stream.destroy();
  });

  it('xhr-multipart: the right boundary header and one part per message', async () => {
    const stream = openStream('/socket.io/xhr-multipart/');
    await waitFor(() => stream.text().split('--socketio\n').length >= 3, 3000, 'first part');
    expect(stream.headers()['content-type']).toBe('multipart/x-mixed-replace;boundary="socketio"');
    const sid = /~m~24~m~([A-Za-z0-9_-]{24})/.exec(stream.text())![1];
    server.log.connections.get(sid)!.send(['a', 'b']);
    await waitFor(() => stream.text().endsWith('~m~1~m~b\n--socketio\n'), 3000, 'two more parts');
    expect(stream.text()).toBe(
      `--socketio\nContent-Type: text/plain; charset=UTF-8\n\n~m~24~m~${sid}\n--socketio\n` +
        'Content-Type: text/plain; charset=UTF-8\n\n~m~1~m~a\n--socketio\n' +
        'Content-Type: text/plain; charset=UTF-8\n\n~m~1~m~b\n--socketio\n',
    );
    stream.destroy();
  });
});

