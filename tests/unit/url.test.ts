import { queryOf, resourcePattern, splitUrl } from '../../src/http/url';
import { SocketIoPathMatcher } from '../../src/protocols/v06/paths';

describe('SocketIoPathMatcher', () => {
  const paths = new SocketIoPathMatcher('socket.io', null, '/');

  it.each([
    ['/socket.io/websocket', 'websocket', []],
    ['/socket.io/flashsocket', 'flashsocket', []],
    ['/socket.io/xhr-polling//1300000000000', 'xhr-polling', ['', '1300000000000']],
    ['/socket.io/xhr-polling/abc/send', 'xhr-polling', ['abc', 'send']],
    ['/socket.io/jsonp-polling//1300000000000/0', 'jsonp-polling', ['', '1300000000000', '0']],
    ['/socket.io/xhr-multipart/', 'xhr-multipart', ['']],
    ['/socket.io/htmlfile//1300000000000', 'htmlfile', ['', '1300000000000']],
    ['/socket.io/socket.io.js', 'socket.io.js', []],
  ])('%s', (path, target, segments) => {
    expect(paths.parse(path)).toEqual({ target, extra: null, segments });
  });

  it('does not claim unknown transports, other resources, or the Engine.IO path', () => {
    expect(paths.parse('/socket.io/carrier-pigeon/')).toBeNull();
    expect(paths.parse('/socket.io/websocketx')).toBeNull();
    expect(paths.parse('/socket.iox/websocket')).toBeNull();
    expect(paths.parse('/socket.io/')).toBeNull();
  });

  it("captures Tornadio's extra segment", () => {
    const withExtra = new SocketIoPathMatcher('socket.io', /\d+/, '/');
    expect(withExtra.parse('/socket.io/42/websocket')).toEqual({ target: 'websocket', extra: '42', segments: [] });
    expect(withExtra.parse('/socket.io/websocket')?.extra).toBeNull();
  });

  it('handles nested resources', () => {
    const nested = new SocketIoPathMatcher('chat/socket.io', null, '/');
    expect(nested.parse('/chat/socket.io/xhr-polling//1')?.target).toBe('xhr-polling');
    expect(nested.parse('/socket.io/xhr-polling//1')).toBeNull();
  });
});

describe('resourcePattern', () => {
  it('matches everything under the resource, and nothing else', () => {
    const owns = resourcePattern('socket.io', '/');
    expect(owns.test('/socket.io/websocket')).toBe(true);
    expect(owns.test('/socket.io')).toBe(true);
    expect(owns.test('/socket.io/')).toBe(true);
    expect(owns.test('/socket.iox/websocket')).toBe(false);
    expect(owns.test('/other')).toBe(false);
    expect(resourcePattern('chat/socket.io', '/').test('/socket.io/xhr-polling//1')).toBe(false);
  });
});

describe('splitUrl', () => {
  it('splits path and query', () => {
    expect(splitUrl('/a/b?x=1&y=2')).toEqual({ pathname: '/a/b', search: 'x=1&y=2' });
    expect(splitUrl('/a')).toEqual({ pathname: '/a', search: '' });
  });
});

describe('queryOf', () => {
  it.each([
    'EIO=4&transport=polling&sid=AbC-_d',
    'EIO=4&transport=polling&t=O~x&b64=1',
    '',
    'a',
    'a=',
    '=b',
    'a=1&a=2',
    'a=1&&b=2&',
    'a=b=c',
    'sid=%41%42&x=1',
    'j=1+2',
    'bad=%zz&x=%',
    '&&&',
  ])('reads %j as URLSearchParams does', (search) => {
    const ours = queryOf(search);
    const theirs = new URLSearchParams(search);
    for (const name of ['EIO', 'transport', 'sid', 't', 'b64', 'a', 'b', 'j', 'x', 'bad', '', 'missing']) {
      expect([name, ours.get(name), ours.has(name)]).toEqual([name, theirs.get(name), theirs.has(name)]);
    }
  });
});
