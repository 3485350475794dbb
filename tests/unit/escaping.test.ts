import { scriptStringLiteral } from '../../src/http/script-escape';
import { jsonpFormat } from '../../src/protocols/v06/transports/jsonp-polling';
import { HTMLFILE_FORMAT } from '../../src/protocols/v06/transports/htmlfile';
import { MULTIPART_FORMAT } from '../../src/protocols/v06/transports/xhr-multipart';
import { XHR_POLLING_FORMAT } from '../../src/protocols/v06/transports/xhr-polling';

const hostile = '</script><script>alert(1)</script>';

describe('scriptStringLiteral', () => {
  it('can never close a script element or open a comment', () => {
    const literal = scriptStringLiteral(`${hostile}<!-- -->`);
    expect(literal).toBe(
      '"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u003c!-- --\\u003e"',
    );
    expect(literal).not.toMatch(/[<>]/);
  });

  it('escapes U+2028 and U+2029', () => {
    expect(scriptStringLiteral('a\u2028b\u2029c')).toBe('"a\\u2028b\\u2029c"');
  });

  it('keeps emoji and evaluates back to the original text', () => {
    const text = `😀 中文 ${hostile} \u2028 "quotes" \\ & lone \ud800`;
    const literal = scriptStringLiteral(text);
    expect(literal).toContain('😀');
    expect(new Function(`return ${literal};`)()).toBe(text);
  });
});

describe('wire formats (golden strings)', () => {
  it('jsonp-polling', () => {
    expect(jsonpFormat(3).render('~m~2~m~hi')).toBe('io.JSONP[3]._("~m~2~m~hi");');
    expect(jsonpFormat(0).render('')).toBe('io.JSONP[0]._("");');
    expect(jsonpFormat(1).render(`~m~${hostile.length}~m~${hostile}`)).toBe(
      'io.JSONP[1]._("~m~34~m~\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e");',
    );
    expect(jsonpFormat(0).render('~m~1~m~\u2028')).toBe('io.JSONP[0]._("~m~1~m~\\u2028");');
    expect(jsonpFormat(0).headers['Content-Type']).toBe('text/javascript; charset=UTF-8');
  });

  it('htmlfile', () => {
    expect(HTMLFILE_FORMAT.preamble).toBe(`<html><body>${' '.repeat(256)}\n`);
    expect(Buffer.byteLength(HTMLFILE_FORMAT.preamble)).toBeGreaterThanOrEqual(256);
    expect(HTMLFILE_FORMAT.renderFrame('~m~2~m~😀')).toBe('<script>parent.s._("~m~2~m~😀", document);</script>\n');
    expect(HTMLFILE_FORMAT.renderFrame(`~m~34~m~${hostile}`)).toBe(
      '<script>parent.s._("~m~34~m~\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e", document);</script>\n',
    );
    expect(HTMLFILE_FORMAT.contentType).toBe('text/html; charset=UTF-8');
  });

  it('xhr-multipart', () => {
    expect(MULTIPART_FORMAT.contentType).toBe('multipart/x-mixed-replace;boundary="socketio"');
    expect(MULTIPART_FORMAT.preamble).toBe('--socketio\n');
    expect(MULTIPART_FORMAT.renderFrame('~m~2~m~hi')).toBe('Content-Type: text/plain; charset=UTF-8\n\n~m~2~m~hi\n--socketio\n');
  });

  it('xhr-polling', () => {
    expect(XHR_POLLING_FORMAT.render('~m~2~m~hi~m~1~m~a')).toBe('~m~2~m~hi~m~1~m~a');
    expect(XHR_POLLING_FORMAT.headers['Content-Type']).toBe('text/plain; charset=UTF-8');
  });
});
