/**
 * Request ids: a random prefix per app plus a counter, unique across restarts and replicas (the
 * prefix) and within a process (the counter), and far cheaper per request than a random UUID.
 */
import { randomBytes } from 'node:crypto';

/** Random bytes of the prefix: 72 bits, base64url-encoded to 12 characters. */
const PREFIX_BYTES = 9;
/** Counter radix: base 36 keeps ids short. */
const COUNTER_RADIX = 36;

/** A generator of unique request ids (`<prefix>-<counter>`). */
export function requestIdGenerator(): () => string {
  const prefix = `${randomBytes(PREFIX_BYTES).toString('base64url')}-`;
  let counter = 0;
  return () => prefix + (++counter).toString(COUNTER_RADIX);
}
