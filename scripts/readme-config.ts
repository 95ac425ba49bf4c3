/**
 * Writes the README's generated tables: the configuration table from the option table
 * (src/config/options.ts: one row per option with its variable, flag, default and help) and the
 * node-RPC table from the method table (src/rpc/methods.ts: every method answered, then every one
 * refused, with how it is answered and its differences from a node). `npm run readme`; a test
 * regenerates them in memory and fails when the committed README differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPTIONS } from '../src/config/options.js';
import { RPC_METHODS, UNSUPPORTED_METHODS } from '../src/rpc/methods.js';

export const README_PATH = resolve(fileURLToPath(new URL('..', import.meta.url)), 'README.md');

const HEADER = ['| Variable | Flag | Default | Meaning |', '|---|---|---|---|'];
const RPC_HEADER = ['| Method | Supported | How it is answered | Differences from a node |', '|---|---|---|---|'];

/** A table cell: a `|` would end it. */
const cell = (text: string) => text.replaceAll('|', '\\|');

/** The configuration table, as Markdown lines. */
export function configurationTable(): string[] {
  // A default in parentheses describes the behaviour, e.g. (off); any other is a value to type.
  const shown = (text: string) => (text.startsWith('(') ? text : `\`${text}\``);
  return [...HEADER, ...OPTIONS.map((o) => `| \`${o.env}\` | \`${o.flag} ${o.value}\` | ${cell(shown(o.defaultText))} | ${cell(o.help)} |`)];
}

/** The node-RPC table, as Markdown lines: answered methods first, then refused ones with their reason. */
export function rpcTable(): string[] {
  return [
    ...RPC_HEADER,
    ...RPC_METHODS.map((m) => `| \`${m.name}\` | yes | ${cell(m.answeredBy)} | ${cell(m.differences === '' ? '—' : m.differences)} |`),
    ...UNSUPPORTED_METHODS.map((m) => `| \`${m.name}\` | no | — | ${cell(`Refused: ${m.reason}.`)} |`),
  ];
}

/** `readme` with the table that starts with the line `header[0]` (up to the first non-table line) replaced by `table`. */
function withTable(readme: string, header: string[], table: string[]): string {
  const lines = readme.split('\n');
  const start = lines.indexOf(header[0] ?? '');
  if (start < 0) throw new Error(`README has no table starting "${header[0]}"`);
  let end = start;
  while (lines[end]?.startsWith('|')) end++;
  return [...lines.slice(0, start), ...table, ...lines.slice(end)].join('\n');
}

/** The README with its configuration table written anew. */
export function withConfigurationTable(readme: string): string {
  return withTable(readme, HEADER, configurationTable());
}

/** The README with its node-RPC table written anew. */
export function withRpcTable(readme: string): string {
  return withTable(readme, RPC_HEADER, rpcTable());
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(README_PATH, withRpcTable(withConfigurationTable(readFileSync(README_PATH, 'utf8'))));
  console.log(`wrote the configuration and node-RPC tables of ${README_PATH}`);
}
