/**
 * The node-RPC-compatible face's building block: one method of the full node's RPC (chia-blockchain
 * full_node_rpc_api.py) that the gateway answers from its peers, with the facts the README table and the
 * OpenAPI document show about it. A method is a second face over the same services as /v1 (src/chain/,
 * src/coins/), never a second implementation.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TSchema } from '@sinclair/typebox';

/** A request body as the node takes it: a JSON object (an empty body is `{}`). */
export type RpcBody = Record<string, unknown>;

/**
 * The fields of a successful answer besides `success`. Rendered with stringifyJson: bigint as exact
 * JSON digits and bytes as 0x hex, as the node writes them.
 */
export type RpcResult = Record<string, unknown>;

export interface RpcCall {
  app: FastifyInstance;
  request: FastifyRequest;
  body: RpcBody;
}

export interface RpcMethod {
  /** The node's method name, which is also its path: POST /<name> and POST /rpc/<name>. */
  name: string;
  /** How the gateway answers it: which peer messages over which link role. */
  answeredBy: string;
  /** Where the answer differs from a node's ('' when it does not). */
  differences: string;
  /** The request body's schema (schemas/node-rpc.ts), for the OpenAPI document. */
  params: TSchema;
  /** The successful answer's schema, `success` included (schemas/node-rpc.ts rpcSuccess). */
  answer: TSchema;
  handle(call: RpcCall): Promise<RpcResult>;
}

/** A node-RPC method the gateway cannot answer from peers, and why. */
export interface UnsupportedMethod {
  name: string;
  reason: string;
}

/**
 * A failure answered as the node answers one: `{"success": false, "error": message}`, with the node's
 * wording where the node has one (a request without a required field, a block not found …).
 */
export class RpcError extends Error {
  override readonly name = 'RpcError';
}
