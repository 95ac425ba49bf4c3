/**
 * Parses and validates one text frame from a live client. Never throws: a bad frame becomes an
 * `error` message for that client, never a crash or a closed connection.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  PingMessage,
  SubscribeMessage,
  UnsubscribeMessage,
  type ClientMessage,
  type LiveErrorCode,
} from '../../schemas/live.js';

const CHECKS = {
  subscribe: TypeCompiler.Compile(SubscribeMessage),
  unsubscribe: TypeCompiler.Compile(UnsubscribeMessage),
  ping: TypeCompiler.Compile(PingMessage),
} as const;

/** Longest excerpt of the offending value quoted back in an error message. */
const MAX_QUOTE = 64;

export type ParseResult =
  | { ok: true; message: ClientMessage }
  | { ok: false; code: LiveErrorCode; message: string };

/** Parses a client frame (already bounded by config.ws.maxMessageBytes through ws maxPayload). */
export function parseClientMessage(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'INVALID_JSON', message: 'the message is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'INVALID_MESSAGE', message: 'a message must be a JSON object with a "type"' };
  }
  const type = (value as { type?: unknown }).type;
  if (type !== 'subscribe' && type !== 'unsubscribe' && type !== 'ping') {
    return {
      ok: false,
      code: 'UNKNOWN_TYPE',
      message: `unknown message type ${quote(type)}; expected subscribe, unsubscribe or ping`,
    };
  }
  const check = CHECKS[type];
  if (check.Check(value)) return { ok: true, message: value };
  const first = check.Errors(value).First();
  const where = first?.path === '' || first === undefined ? '' : ` at ${first.path}`;
  return { ok: false, code: 'INVALID_MESSAGE', message: `invalid ${type} message${where}: ${first?.message ?? 'invalid'}` };
}

function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE)}…` : text;
}
