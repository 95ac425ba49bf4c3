/**
 * Building blocks shared by every wire shape: the problem+json error body, hex strings, the two
 * renderings of big integers, height parameters, and the `ref` helper for shared components.
 */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** A reference to a shared component schema (registered with addSchema; becomes #/components/schemas). */
export function ref<T extends TSchema>(schema: T): TUnsafe<Static<T>> {
  if (schema.$id === undefined) throw new Error('ref() needs a schema with an $id');
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id));
}

/** A string enum rendered as `{type: string, enum: […]}` (friendlier to generated clients than anyOf of consts). */
export function stringEnum<const T extends readonly string[]>(values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

export const Hex32 = Type.String({
  pattern: '^0x[0-9a-f]{64}$',
  description: '32 bytes, 0x-prefixed lowercase hex',
  examples: ['0xd780d22c7a87c9e01d98b49a0910f6701c3b95015741316b3fda042e5d7b81d2'],
});
export const HexBytes = Type.String({
  pattern: '^(0x)?[0-9a-f]*$',
  description: 'Bytes as 0x-prefixed lowercase hex (an empty value may render as "" or "0x", as the node does)',
});
export const G1 = Type.String({ pattern: '^0x[0-9a-f]{96}$', description: 'BLS G1 element (48 bytes), 0x hex' });
export const G2 = Type.String({ pattern: '^0x[0-9a-f]{192}$', description: 'BLS G2 element (96 bytes), 0x hex' });
export const U8 = Type.Integer({ minimum: 0, maximum: 255 });
export const U16 = Type.Integer({ minimum: 0, maximum: 65_535 });
export const U32 = Type.Integer({ minimum: 0, maximum: 4_294_967_295 });

/**
 * A u64 / u128: a decimal string by default (`ints=string`, safe for JavaScript), an exact JSON number
 * with `ints=number` (the node RPC's rendering; needs a lossless JSON parser above 2^53).
 */
export const BigUint = Type.Union([Type.String({ pattern: '^[0-9]+$' }), Type.Integer({ minimum: 0 })], {
  $id: 'BigUint',
  title: 'BigUint',
  description:
    'An unsigned 64- or 128-bit integer: a decimal string by default, an exact JSON number with ints=number.',
});

/**
 * Every `code` a problem+json body can carry. The error catalogue (src/http/errors.ts) is typed by
 * this list: it has an entry for each code and for no other.
 */
export const ERROR_CODES = [
  'INVALID_PARAMETER',
  'INVALID_RANGE',
  'RANGE_TOO_LARGE',
  'BLOCK_NOT_FOUND',
  'ABOVE_PEAK',
  'INVALID_URL',
  'MALFORMED_REQUEST',
  'ROUTE_NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'NOT_ACCEPTABLE',
  'REQUEST_TIMEOUT',
  'BODY_NOT_ALLOWED',
  'PATH_PARAMETER_TOO_LONG',
  'RATE_LIMITED',
  'HEADERS_TOO_LARGE',
  'CLIENT_ERROR',
  'INTERNAL_ERROR',
  'UPSTREAM_INVALID_REPLY',
  'UPSTREAM_FAILED',
  'COINS_REFUSED',
  'NO_PEAK',
  'NO_READY_LINK',
  'ROLE_NOT_CONFIGURED',
  'UPSTREAM_BUSY',
  'SHUTTING_DOWN',
  'LIVE_ORIGIN_FORBIDDEN',
  'LIVE_UPGRADE_REQUIRED',
  'LIVE_WEBSOCKET_VERSION_UNSUPPORTED',
  'LIVE_HANDSHAKE_INVALID',
  'LIVE_TOO_MANY_CLIENTS',
  'LIVE_TOO_MANY_CLIENTS_FROM_IP',
  'NOT_READY',
  'UPSTREAM_TIMEOUT',
  'STATE_REORG',
  'SUBSCRIPTION_LIMIT',
  'TRANSACTION_TOO_LARGE',
  'COIN_NOT_FOUND',
  'COIN_NOT_SPENT',
  'ADDRESS_INVALID',
  'ADDRESS_WRONG_NETWORK',
  'QUERY_NO_KEYS',
  'QUERY_TOO_MANY_KEYS',
  'QUERY_FILTERS_CONFLICT',
  'CURSOR_INVALID',
  'CURSOR_REORGED',
  'TRANSACTION_INVALID',
  'TRANSACTION_REJECTED',
  'TRANSACTION_NOT_TAKEN_NOW',
  'FEE_TOO_MANY_TARGETS',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** RFC 9457 problem details, with the catalogue's stable `code`. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI reference identifying the problem type' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    code: Type.Unsafe<ErrorCode>(
      Type.String({
        description: `Stable machine-readable error code, one of: ${ERROR_CODES.join(', ')}`,
        examples: ['BLOCK_NOT_FOUND'],
      }),
    ),
    instance: Type.String({ description: 'The request path' }),
    request_id: Type.String(),
  },
  { $id: 'Problem', title: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' },
);
export type ProblemBody = Static<typeof Problem>;

/** How u64/u128 values are rendered in JSON (also selectable with `Accept: application/json; ints=number`). */
export const IntsQuery = Type.Object({
  ints: Type.Optional(
    stringEnum(['string', 'number'], {
      description:
        'string (default): u64/u128 as decimal strings; number: exact JSON numbers, as the node RPC renders them. ' +
        'Equivalent to the media-type parameter `Accept: application/json; ints=number`.',
    }),
  ),
});

export const HeightParams = Type.Object({
  height: Type.Integer({ minimum: 0, maximum: 4_294_967_295, description: 'Block height (u32, decimal digits)' }),
});

export const RangeQuery = Type.Composite([
  Type.Object({
    start: Type.Integer({ minimum: 0, maximum: 4_294_967_295, description: 'First height (inclusive)' }),
    end: Type.Integer({
      minimum: 0,
      maximum: 4_294_967_295,
      description: 'End height, exclusive (the node RPC convention); end − start ≤ 100. Clipped to the peak + 1.',
    }),
  }),
  IntsQuery,
]);
