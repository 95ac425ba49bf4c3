/**
 * Keeps key material out of messages. A certificate or key pasted where a path or another value is
 * expected (`CHIA_GATEWAY_KEY="$(cat key)"`) must never be echoed to a terminal or a log collector:
 * configuration errors describe such a value instead of quoting it.
 */

const PEM_MARK = /-----BEGIN [A-Z0-9 ]*-----/;
/** A PEM block, or the start of one that runs to the end of the text. */
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]*-----[\s\S]*?(?:-----END [A-Z0-9 ]*-----|$)/g;
const LINE_BREAK = /[\r\n]/;
/** Longer values are described, not quoted: nothing a person types there is this long. */
const MAX_QUOTED = 200;

/** Whether the text holds a PEM block (a certificate or a key itself, not a path to one). */
export function looksLikePem(text: string): boolean {
  return PEM_MARK.test(text);
}

/** Whether the text has a line break: no option takes one, and a pasted secret usually does. */
export function spansLines(text: string): boolean {
  return LINE_BREAK.test(text);
}

/** A value as quoted in a message: `"text"` when it is safe to show, else what it looks like. */
export function quoteValue(text: string): string {
  if (looksLikePem(text)) return 'a PEM block (not shown)';
  if (spansLines(text)) return `a value of ${text.split(/\r\n|\r|\n/).length} lines (not shown)`;
  if (text.length > MAX_QUOTED) return `a value of ${text.length} characters (not shown)`;
  return `"${text}"`;
}

/** The text with every PEM block replaced: the last guard before a message is printed. */
export function redactPem(text: string): string {
  return text.replace(PEM_BLOCK, '[PEM block not shown]');
}
