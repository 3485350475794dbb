import { ABORT, ANSWER, encodeFrame, FrameReader, parseRequestMeta, REQUEST, type Frame } from '../../src/cluster/relay-wire';

const read = (reader: FrameReader, chunks: Buffer[]): Frame[] => {
  const frames: Frame[] = [];
  for (const chunk of chunks) reader.push(chunk, (frame) => frames.push({ ...frame, body: Buffer.from(frame.body) }));
  return frames;
};

const plain = (frames: Frame[]) => frames.map(({ type, id, meta, body }) => ({ type, id, meta, body: body.toString('utf8') }));

describe('relay frames', () => {
  const frames = [
    encodeFrame(REQUEST, 1, '["eio4","POST","/socket.io/?EIO=4&transport=polling&sid=x",null,"text/plain",0]', Buffer.from('42["é"]')),
    encodeFrame(ABORT, 1, '', null),
    encodeFrame(ANSWER, 0xffffffff, '[200,{"Content-Length":2},0]', 'ok'),
  ];
  const expected = [
    { type: REQUEST, id: 1, meta: '["eio4","POST","/socket.io/?EIO=4&transport=polling&sid=x",null,"text/plain",0]', body: '42["é"]' },
    { type: ABORT, id: 1, meta: '', body: '' },
    { type: ANSWER, id: 0xffffffff, meta: '[200,{"Content-Length":2},0]', body: 'ok' },
  ];

  test('several frames in one chunk come out whole and in order', () => {
    expect(plain(read(new FrameReader(1024), [Buffer.concat(frames)]))).toEqual(expected);
  });

  test('a stream cut at every byte gives the same frames', () => {
    const all = Buffer.concat(frames);
    const bytes = Array.from({ length: all.length }, (_, i) => all.subarray(i, i + 1));
    expect(plain(read(new FrameReader(1024), bytes))).toEqual(expected);
  });

  test('a frame over the limit, or shorter than its header, is refused before it is buffered', () => {
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(2048, 0);
    expect(() => read(new FrameReader(1024), [huge])).toThrow('relay frame of 2048 bytes');
    const short = Buffer.alloc(13);
    short.writeUInt32BE(3, 0);
    expect(() => read(new FrameReader(1024), [short])).toThrow('relay frame of 3 bytes');
  });

  test('a meta length past the end of its frame is refused', () => {
    const frame = encodeFrame(REQUEST, 1, '[]', null);
    frame.writeUInt32BE(100, 9);
    expect(() => read(new FrameReader(1024), [frame])).toThrow('meta of 100 bytes');
  });
});

describe('relayed request meta', () => {
  test('reads the six fields; a missing origin or content type is undefined, an oversized body null', () => {
    const body = Buffer.from('x');
    expect(parseRequestMeta('["eio4","GET","/socket.io/?sid=x",null,null,0]', body)).toEqual({ protocol: 'eio4', method: 'GET', url: '/socket.io/?sid=x', origin: undefined, contentType: undefined, body });
    expect(parseRequestMeta('["eio4","POST","/","http://a.example","text/plain",1]', body)).toMatchObject({ origin: 'http://a.example', contentType: 'text/plain', body: null });
  });

  test('anything else is refused', () => {
    for (const meta of ['{', '{}', '["eio4","GET"]', '[1,"GET","/",null,null,0]', '["eio4",null,"/",null,null,0]', '["eio4","GET","/",null,null,0,7]']) {
      expect(() => parseRequestMeta(meta, Buffer.alloc(0))).toThrow();
    }
  });
});
