/**
 * Writes the README's configuration table from the option table (src/config/options.ts): one row per
 * option with its variable, flag, default and help. `npm run readme`; a test regenerates it in memory
 * and fails when the committed README differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPTIONS } from '../src/config/options.js';

export const README_PATH = resolve(fileURLToPath(new URL('..', import.meta.url)), 'README.md');

const HEADER = ['| Variable | Flag | Default | Meaning |', '|---|---|---|---|'];

/** A table cell: a `|` would end it. */
const cell = (text: string) => text.replaceAll('|', '\\|');

/** The configuration table, as Markdown lines. */
export function configurationTable(): string[] {
  // A default in parentheses describes the behaviour, e.g. (off); any other is a value to type.
  const shown = (text: string) => (text.startsWith('(') ? text : `\`${text}\``);
  return [...HEADER, ...OPTIONS.map((o) => `| \`${o.env}\` | \`${o.flag} ${o.value}\` | ${cell(shown(o.defaultText))} | ${cell(o.help)} |`)];
}

/** The README with its configuration table (the lines from its header to the first non-table line) written anew. */
export function withConfigurationTable(readme: string): string {
  const lines = readme.split('\n');
  const start = lines.indexOf(HEADER[0] ?? '');
  if (start < 0) throw new Error(`README has no configuration table (a line "${HEADER[0]}")`);
  let end = start;
  while (lines[end]?.startsWith('|')) end++;
  return [...lines.slice(0, start), ...configurationTable(), ...lines.slice(end)].join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(README_PATH, withConfigurationTable(readFileSync(README_PATH, 'utf8')));
  console.log(`wrote the configuration table of ${README_PATH}`);
}
