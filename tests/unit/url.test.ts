import { RequestError } from '../../src/errors';
import { SocketIoPathMatcher, splitUrl } from '../../src/protocol/url';

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

  it('owns only its resource', () => {
    expect(paths.owns('/socket.io/websocket')).toBe(true);
    expect(paths.owns('/socket.io')).toBe(true);
    expect(paths.owns('/socket.iox/websocket')).toBe(false);
    expect(paths.owns('/other')).toBe(false);
  });

  it('refuses unknown transports with a RequestError', () => {
    expect(() => paths.parse('/socket.io/carrier-pigeon/')).toThrow(RequestError);
    expect(() => paths.parse('/socket.io/websocketx')).toThrow(RequestError);
  });

  it("captures Tornadio's extra segment", () => {
    const withExtra = new SocketIoPathMatcher('socket.io', /\d+/, '/');
    expect(withExtra.parse('/socket.io/42/websocket')).toEqual({ target: 'websocket', extra: '42', segments: [] });
    expect(withExtra.parse('/socket.io/websocket').extra).toBeNull();
  });

  it('handles nested resources', () => {
    const nested = new SocketIoPathMatcher('chat/socket.io', null, '/');
    expect(nested.parse('/chat/socket.io/xhr-polling//1').target).toBe('xhr-polling');
    expect(nested.owns('/socket.io/xhr-polling//1')).toBe(false);
  });
});

describe('splitUrl', () => {
  it('splits path and query', () => {
    expect(splitUrl('/a/b?x=1&y=2')).toEqual({ pathname: '/a/b', search: 'x=1&y=2' });
    expect(splitUrl('/a')).toEqual({ pathname: '/a', search: '' });
  });
});
