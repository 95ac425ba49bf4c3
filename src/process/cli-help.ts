/** The --help text of the command: every option with its flag, environment variable and default. */
import { OPTIONS } from '../config/options.js';

const FLAG_COLUMN = 34;

/** Help text for a terminal: the table's Markdown `code` spans unwrapped. */
export const plainText = (markdown: string): string => markdown.replaceAll('`', '');

/** The --help text: every option with its flag, environment variable and default. */
export function helpText(): string {
  const lines = [
    'Usage: chia-peer-gateway [options]',
    '',
    'HTTP, WebSocket and SSE gateway to Chia full nodes over the binary peer protocol.',
    'Every option can be given as a flag or as its environment variable; a flag wins.',
    '',
    'Options:',
  ];
  for (const o of OPTIONS) {
    lines.push(`  ${`${o.flag} ${o.value}`.padEnd(FLAG_COLUMN)}env ${o.env}, default ${o.defaultText}`);
    lines.push(`  ${''.padEnd(FLAG_COLUMN)}${plainText(o.help)}`);
  }
  lines.push(`  ${'-h, --help'.padEnd(FLAG_COLUMN)}Show this help.`);
  lines.push(`  ${'-v, --version'.padEnd(FLAG_COLUMN)}Show the version.`);
  lines.push('', 'Exit codes: 0 clean shutdown, 1 start failure, 2 invalid configuration.');
  return `${lines.join('\n')}\n`;
}
