/**
 * Pino options for the gateway: JSON lines (with Fastify's request id, `reqId`, on every line of a
 * request) for machines, pino-pretty when a person watches a terminal, and secrets redacted.
 */
import type { LoggerOptions } from 'pino';
import type { GatewayConfig } from '../config/config.js';

export const REDACTED = '[redacted]';

/**
 * Paths whose values never reach a log line: credentials in request/response headers, and private
 * key material (a TLS identity or PEM pair logged by mistake has its `key` replaced). Certificate and
 * key *paths* (`certPath`, `keyPath`) stay visible, they help operators.
 */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'key',
  'privateKey',
  '*.key',
  '*.privateKey',
  '*.*.key',
  '*.*.privateKey',
];

export interface LoggerChoice {
  /** Human-readable output; defaults to whether stdout is a terminal. */
  pretty?: boolean;
}

/** Pino options for config.logLevel; pretty output on a TTY, JSON otherwise. */
export function loggerOptions(config: Pick<GatewayConfig, 'logLevel'>, choice: LoggerChoice = {}): LoggerOptions {
  const pretty = choice.pretty ?? process.stdout.isTTY === true;
  return {
    level: config.logLevel,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  };
}
