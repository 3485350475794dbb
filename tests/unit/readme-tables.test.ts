import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFUSALS } from '../../src/errors';
import { APPLICATION_SETTINGS, ROUTER_SETTINGS, settingsTableRows } from '../../src/settings';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8').split(/\r?\n/);

/**
 * The rows of the table whose header line is `header`, inside the README
 * section that starts with the heading `section` (and ends at the next heading
 * of the same or a higher level). Throws, naming the table, when the section
 * or the header is missing.
 */
function tableRows(name: string, section: string, header: string): string[] {
  const start = README.indexOf(section);
  if (start < 0) throw new Error(`README.md: the ${name} table is missing: no heading "${section}"`);
  const level = /^#+/.exec(section)![0].length;
  let end = README.findIndex((line, i) => i > start && /^#+ /.test(line) && /^#+/.exec(line)![0].length <= level);
  if (end < 0) end = README.length;
  const at = README.slice(start, end).indexOf(header);
  if (at < 0) throw new Error(`README.md: the ${name} table is missing: no line "${header}" under "${section}"`);
  const separator = README[start + at + 1];
  if (!/^\|( *:?-+:? *\|)+$/.test(separator ?? '')) {
    throw new Error(`README.md: the ${name} table has no separator line after "${header}"`);
  }
  const rows: string[] = [];
  for (let i = start + at + 2; i < end && README[i].startsWith('|'); i++) rows.push(README[i]);
  return rows;
}

/** Compares rows, prefixing jest's diff with which table is out of date and how to fix it. */
function expectRows(name: string, source: string, actual: string[], expected: string[]): void {
  try {
    expect(actual).toEqual(expected);
  } catch (error) {
    const firstDiff = expected.findIndex((row, i) => actual[i] !== row);
    const where = firstDiff < 0 ? `it has ${actual.length - expected.length} extra row(s)` : `row ${firstDiff + 1} differs`;
    (error as Error).message =
      `README.md: the ${name} table is out of date with ${source} (${where}).\n` +
      `Regenerate its rows from ${source}.\n\n${(error as Error).message}`;
    throw error;
  }
}

function refusalRows(): string[] {
  return Object.entries(REFUSALS).map(([code, { status, closeCode, doc }]) => `| \`${code}\` | ${status} | ${closeCode} | ${doc} |`);
}

describe('README tables', () => {
  it('router settings table matches ROUTER_SETTINGS', () => {
    const rows = tableRows('router settings', '## Routers and settings', '| setting | default | unit | meaning |');
    expectRows('router settings', 'settingsTableRows(ROUTER_SETTINGS) in src/settings.ts', rows, settingsTableRows(ROUTER_SETTINGS));
  });

  it('application settings table matches APPLICATION_SETTINGS', () => {
    const rows = tableRows('application settings', '## Application and SocketServer', '| application setting | default | unit | meaning |');
    expectRows(
      'application settings',
      'settingsTableRows(APPLICATION_SETTINGS) in src/settings.ts',
      rows,
      settingsTableRows(APPLICATION_SETTINGS),
    );
  });

  it('refusal codes table matches REFUSALS', () => {
    const rows = tableRows('refusal codes', '### Refusal codes', '| code | HTTP status | close code | meaning |');
    expectRows('refusal codes', 'REFUSALS in src/errors.ts', rows, refusalRows());
  });
});
