/**
 * One node-RPC call, answered as the node answers: `{…result, "success": true}` or
 * `{"success": false, "error": "…"}` with HTTP 200 (the node's RPC server reports every failure in the
 * body, chia-blockchain chia/rpc/util.py). The body is read as JSON whatever its content type, an empty
 * body as `{}`, as the node's `request.json()` reads it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseJson, stringifyJson } from '../chia/index.js';
import { ApiError } from '../http/errors.js';
import { rpcMethod, unsupportedMethod } from './methods.js';
import { RpcError, type RpcBody } from './rpc-method.js';

/** An answer ready to send: its HTTP status, extra headers and JSON text. */
export interface RpcAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

const OK = 200;

function failure(error: string, status = OK, headers: Record<string, string> = {}, code?: string): RpcAnswer {
  return { status, headers, text: stringifyJson(code === undefined ? { success: false, error } : { success: false, error, code }) };
}

/** The request body as the node reads it: a JSON object, `{}` when empty. */
export function rpcBody(text: string | undefined): RpcBody {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    throw new RpcError(`the request body is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RpcError('the request body must be a JSON object');
  return value as RpcBody;
}

/** Answers POST /<name> (or /rpc/<name>) with body `text`. */
export async function answerRpc(app: FastifyInstance, name: string, text: string | undefined, request: FastifyRequest): Promise<RpcAnswer> {
  const method = rpcMethod(name);
  if (method === undefined) {
    const unsupported = unsupportedMethod(name);
    return failure(
      unsupported === undefined
        ? `${name} is not a full node RPC method the gateway knows`
        : `${name} is not supported by this gateway: ${unsupported.reason}`,
    );
  }
  try {
    const result = await method.handle({ app, request, body: rpcBody(text) });
    return { status: OK, headers: {}, text: stringifyJson({ ...result, success: true }) };
  } catch (error) {
    if (error instanceof RpcError) return failure(error.message);
    // A gateway condition (no ready peer, a busy upstream, a rate limit): its HTTP status and headers
    // (Retry-After) tell a client to wait, and its catalogue code says which one.
    if (error instanceof ApiError) return failure(error.message, error.status, error.headers, error.code);
    throw error;
  }
}
