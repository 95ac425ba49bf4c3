/**
 * Reading a node-RPC request body as the node reads it: a required field missing is an RpcError in the
 * node's wording (given by the caller, e.g. "No header_hash in request"); a value of the wrong shape is
 * an RpcError naming the field and what it takes.
 */
import { normalHex32 } from '../coins/addresses.js';
import { quote } from '../live/quote.js';
import { RpcError, type RpcBody } from './rpc-method.js';

/** Largest u32, the node's height type. */
const MAX_U32 = 0xffff_ffff;
const DIGITS = /^[0-9]+$/;

/** `body[name]`, or RpcError(`missing`) when the body has no such field. */
export function required(body: RpcBody, name: string, missing: string): unknown {
  if (!(name in body)) throw new RpcError(missing);
  return body[name];
}

/** A 32-byte hash as 0x lowercase hex: the node takes hex with or without 0x. */
export function hash32(value: unknown, name: string): string {
  const hex = typeof value === 'string' ? normalHex32(value) : null;
  if (hex === null) throw new RpcError(`${name} must be 32 bytes of hex, got ${quote(value)}`);
  return hex;
}

/** A height (u32): a JSON integer or its decimal digits, as the node's int() reads it. */
export function height(value: unknown, name: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && DIGITS.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > MAX_U32) throw new RpcError(`${name} must be a height (an integer from 0 to ${MAX_U32}), got ${quote(value)}`);
  return n;
}

/** An optional boolean flag, `fallback` when absent. */
export function flag(body: RpcBody, name: string, fallback: boolean): boolean {
  const value = body[name] ?? fallback;
  if (typeof value !== 'boolean') throw new RpcError(`${name} must be true or false, got ${quote(value)}`);
  return value;
}

/** A 32-byte hash as the node writes it in messages: hex without 0x. */
export function bareHex(hash: string): string {
  return hash.replace(/^0x/, '');
}
