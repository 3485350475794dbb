/**
 * A JavaScript string literal for `text` that is safe inside an HTML
 * `<script>` element: JSON escapes quotes, backslashes and lone surrogates;
 * on top of that `<` and `>` become `\u003c`/`\u003e` so neither `</script>`
 * nor `<!--` can ever appear, `&` is escaped for old parsers, and U+2028 /
 * U+2029 (line terminators in pre-ES2019 JavaScript) are escaped too.
 */
export function scriptStringLiteral(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, escapeChar);
}

const escapes: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

function escapeChar(char: string): string {
  return escapes[char];
}
