/**
 * The response headers that describe a chain resource: the header hash(es) it resolved, which let a
 * client (or a cross-origin script) detect a reorg without parsing the body. They are exposed to
 * cross-origin scripts (src/http/cors.ts) and dropped from error responses (src/http/problem.ts).
 */

/** The header hash a single-block response resolved. */
export const HEADER_HASH_HEADER = 'x-chia-header-hash';
/**
 * A range names its first and last header hashes, not all of them: 100 hashes would make a ~7 KB
 * header line, beyond what common proxies accept (nginx's default buffer is 4 KB, some 8 KB in all).
 * The full list is in the body; the last hash commits to every block before it.
 */
export const FIRST_HEADER_HASH_HEADER = 'x-chia-first-header-hash';
export const LAST_HEADER_HASH_HEADER = 'x-chia-last-header-hash';
/** Every header-hash response header. */
export const HEADER_HASH_HEADERS = [HEADER_HASH_HEADER, FIRST_HEADER_HASH_HEADER, LAST_HEADER_HASH_HEADER] as const;
