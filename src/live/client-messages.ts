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
import { CURSOR_NAMES, cursorValueError, type CursorName } from './cursor.js';
import { quote } from './quote.js';

const CHECKS = {
  subscribe: TypeCompiler.Compile(SubscribeMessage),
  unsubscribe: TypeCompiler.Compile(UnsubscribeMessage),
  ping: TypeCompiler.Compile(PingMessage),
} as const;

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
  if (type === 'subscribe') {
    // A cursor is worded like a query cursor: "since must be a decimal integer between 0 and …".
    for (const name of CURSOR_NAMES) {
      const field = (value as Partial<Record<CursorName, unknown>>)[name];
      const error = field === undefined ? null : cursorValueError(name, field);
      if (error !== null) return { ok: false, code: 'INVALID_MESSAGE', message: `invalid subscribe message: ${error}` };
    }
  }
  const check = CHECKS[type];
  if (check.Check(value)) return { ok: true, message: value };
  const first = check.Errors(value).First();
  const where = first?.path === '' || first === undefined ? '' : ` at ${first.path}`;
  return { ok: false, code: 'INVALID_MESSAGE', message: `invalid ${type} message${where}: ${first?.message ?? 'invalid'}` };
}
