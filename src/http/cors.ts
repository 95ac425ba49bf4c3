/**
 * CORS for the HTTP API. Chain data is public and read-only, so by default any origin may read it
 * (`Access-Control-Allow-Origin: *`, on errors too); CHIA_GATEWAY_CORS_ORIGINS restricts it to a list,
 * in which case the allowed origin is echoed and every response varies by Origin. GET, HEAD and POST
 * are allowed cross-origin, each on the paths that have it: a preflight (answered by the OPTIONS routes,
 * routes/methods.ts) lists the path's own methods among them, so a POST route added later is open to
 * the same origins with no code of its own. The POST routes read JSON (and some octet-stream) bodies,
 * which are not CORS-safelisted: the browser asks first, and the preflight allows the headers it asks
 * for. Credentials are never allowed: the API has none.
 */
import { HEADER_HASH_HEADERS } from './resource-headers.js';

/** The methods a cross-origin script may use (where the path has them): the API's reads and its POSTs. */
const CORS_METHODS = ['GET', 'HEAD', 'POST'] as const;
/** How long a browser may cache a preflight answer (Chromium caps it at 2 hours). */
const PREFLIGHT_MAX_AGE_SECONDS = 7_200;
/**
 * Headers a browser script may read on a cross-origin response: beyond the CORS-safelisted ones,
 * the rate-limit state, the request id, and the validators of chain resources (the header hash lets
 * a script detect a reorg without parsing the body).
 */
const EXPOSED_HEADERS = [
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
  'x-request-id',
  'etag',
  ...HEADER_HASH_HEADERS,
].join(', ');

export interface CorsPolicy {
  /** Any origin may read (`*`); otherwise only those in `origins`. */
  readonly anyOrigin: boolean;
  readonly origins: ReadonlySet<string>;
}

/** The policy of a configured origin list: `*` (the default) allows any origin. */
export function corsPolicy(origins: readonly string[]): CorsPolicy {
  return { anyOrigin: origins.includes('*'), origins: new Set(origins) };
}

/**
 * The CORS headers of an ordinary (non-preflight) response to a request from `origin`. A restricted
 * policy always adds `Vary: Origin`, allowed or not, so a shared cache never hands one origin's
 * answer to another. Nothing is sent for an origin that is not allowed: the browser then refuses it.
 */
export function corsHeaders(policy: CorsPolicy, origin: string | undefined): Record<string, string> {
  if (policy.anyOrigin) return ANY_ORIGIN_HEADERS;
  if (origin === undefined || !policy.origins.has(origin)) return VARY_ORIGIN;
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED_HEADERS, vary: 'Origin' };
}

const ANY_ORIGIN_HEADERS: Record<string, string> = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-expose-headers': EXPOSED_HEADERS,
});
const VARY_ORIGIN: Record<string, string> = Object.freeze({ vary: 'Origin' });

/** True for a CORS preflight: an OPTIONS request naming the method it wants to use. */
export function isPreflight(method: string, headers: Record<string, string | string[] | undefined>): boolean {
  return method === 'OPTIONS' && headers.origin !== undefined && headers['access-control-request-method'] !== undefined;
}

/**
 * The headers answering a preflight from `origin` (with its simple-response headers) to a path with
 * `pathMethods`. The requested headers are allowed as asked (e.g. `content-type` of a JSON POST): the
 * API has no credentials to protect and reads no header that could change what it returns to the
 * wrong reader.
 */
export function preflightHeaders(
  policy: CorsPolicy,
  origin: string | undefined,
  requestedHeaders: string | undefined,
  pathMethods: ReadonlySet<string>,
): Record<string, string> {
  const headers: Record<string, string> = { ...corsHeaders(policy, origin) };
  if (headers['access-control-allow-origin'] === undefined) return headers;
  headers['access-control-allow-methods'] = CORS_METHODS.filter((method) => pathMethods.has(method)).join(', ');
  if (requestedHeaders !== undefined) headers['access-control-allow-headers'] = requestedHeaders;
  headers['access-control-max-age'] = String(PREFLIGHT_MAX_AGE_SECONDS);
  headers.vary = policy.anyOrigin ? 'Access-Control-Request-Headers' : 'Origin, Access-Control-Request-Headers';
  return headers;
}

/** `value` of a Vary header with `Origin` added when missing (a route's own Vary must not drop it). */
export function varyWithOrigin(value: string | undefined): string {
  if (value === undefined || value === '') return 'Origin';
  return /(^|,)\s*(origin|\*)\s*(,|$)/i.test(value) ? value : `${value}, Origin`;
}
