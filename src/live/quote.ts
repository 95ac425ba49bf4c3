/** Quotes a value a client sent back to it in an error, cut short so an error stays small. */

/** Longest excerpt of the offending value quoted back. */
const MAX_QUOTE = 64;

/** The value as JSON, at most MAX_QUOTE characters (then an ellipsis). */
export function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE)}…` : text;
}
