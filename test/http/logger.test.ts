import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACTED, loggerOptions } from '../../src/http/logger.js';

const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';

/** A logger with the gateway's options writing JSON lines into an array. */
function capture(level: 'info' | 'debug' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino(loggerOptions({ logLevel: level }, { pretty: false }), sink), lines };
}

describe('logger options', () => {
  it('writes JSON at the configured level', () => {
    const { log, lines } = capture('info');
    log.debug('hidden');
    log.info({ reqId: 'abc' }, 'shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'shown', reqId: 'abc' });
  });

  it('uses pino-pretty on a terminal and JSON otherwise', () => {
    expect(loggerOptions({ logLevel: 'info' }, { pretty: true }).transport).toMatchObject({ target: 'pino-pretty' });
    expect(loggerOptions({ logLevel: 'info' }, { pretty: false }).transport).toBeUndefined();
  });

  it('redacts authorization and cookie headers', () => {
    const { log, lines } = capture();
    log.info({ req: { method: 'GET', url: '/v1/peak', headers: { authorization: 'Bearer s3cret', cookie: 'sid=s3cret', 'user-agent': 'curl' } } });
    log.info({ res: { statusCode: 200, headers: { 'set-cookie': 'sid=s3cret' } } });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('s3cret');
    expect(lines[0]).toMatchObject({ req: { headers: { authorization: REDACTED, cookie: REDACTED, 'user-agent': 'curl' } } });
  });

  it('never logs private key contents, but keeps key paths', () => {
    const { log, lines } = capture();
    const identity = { cert: '-----BEGIN CERTIFICATE-----', key: PEM_KEY, peerId: 'ab'.repeat(32) };
    log.info({ identity, keyPath: '/data/tls/wallet.key' }, 'identity loaded');
    log.info({ link: { tls: { key: PEM_KEY } } });
    log.info({ key: PEM_KEY, privateKey: PEM_KEY });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('PRIVATE KEY');
    expect(lines[0]).toMatchObject({ identity: { key: REDACTED, peerId: 'ab'.repeat(32) }, keyPath: '/data/tls/wallet.key' });
  });
});
