/**
 * Key material pasted into a variable or flag (`CHIA_GATEWAY_KEY="$(cat key)"`) is refused with a
 * message that says what it looks like, and is never echoed; no other value spanning lines is either.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { OPTIONS } from '../../src/config/options.js';
import { issuesOf, parse } from '../support/config-issues.js';

/** Stands for a private key: its body lines must never reach a message. */
const BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
const PEM = `-----BEGIN PRIVATE KEY-----\n${BODY}\nc2VjcmV0IGtleSBtYXRlcmlhbA==\n-----END PRIVATE KEY-----\n`;
const SECOND_LINE = 'hunter2-second-line';
const MULTI_LINE = `first line\n${SECOND_LINE}`;

const dir = mkdtempSync(join(tmpdir(), 'gw-config-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The printed message of the ConfigError these inputs raise. */
function messageOf(env: Record<string, string>, argv: string[] = []): string {
  try {
    parse(env, argv);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

const expectNoSecret = (text: string) => {
  expect(text).not.toContain(BODY);
  expect(text).not.toContain('BEGIN PRIVATE KEY');
  expect(text).not.toContain(SECOND_LINE);
};

const pathOptions = OPTIONS.filter((o) => o.value === '<file>');

describe('key material given instead of a path', () => {
  it.each(pathOptions.map((o) => [o.env, o.flag] as const))('%s / %s: says it looks like a PEM, never shows it', (env, flag) => {
    for (const [vars, argv, name] of [
      [{ [env]: PEM }, [], env],
      [{}, [flag, PEM], flag],
      [{}, [`${flag}=${PEM}`], flag],
    ] as const) {
      const issues = issuesOf(vars, [...argv]);
      expect(issues.map((i) => i.name)).toEqual([name]);
      expect(issues[0]?.message).toMatch(/^looks like PEM text \(a certificate or key itself\), not a path: save it in a file .*chmod 600/);
      expectNoSecret(messageOf(vars, [...argv]));
    }
  });

  it('reports only the PEM, not its pair as missing', () => {
    const crt = join(dir, 'full.crt');
    writeFileSync(crt, 'pem');
    const issues = issuesOf({ CHIA_GATEWAY_ROLES: 'full_node', CHIA_GATEWAY_CERT: crt, CHIA_GATEWAY_KEY: PEM });
    expect(issues.map((i) => i.name)).toEqual(['CHIA_GATEWAY_KEY']);
  });

  it('describes a PEM passed as a stray argument without echoing it', () => {
    const issues = issuesOf({}, ['--port', '8080', PEM]);
    expect(issues).toEqual([{ name: 'argument 3', message: 'unexpected argument, a PEM block (not shown) (see --help)' }]);
  });
});

describe('values that span lines', () => {
  it.each(OPTIONS.map((o) => [o.env] as const))('%s: refused without echoing the value, a PEM or any other', (env) => {
    for (const value of [PEM, MULTI_LINE]) {
      const issues = issuesOf({ [env]: value });
      expect(issues.map((i) => i.name)).toEqual([env]);
      expect(issues[0]?.message).toMatch(/the value is not shown$/);
      expectNoSecret(messageOf({ [env]: value }));
    }
  });

  it('still takes a list written over several lines', () => {
    expect(parse({ CHIA_GATEWAY_PEERS: '10.0.0.1:8444,\n  10.0.0.2:8444' }).peers).toHaveLength(2);
  });

  it('redacts a PEM block from any issue as the last guard', () => {
    const error = new ConfigError([{ name: 'X', message: `got ${PEM.trim()} there` }]);
    expect(error.message).toBe('invalid configuration (1 problem):\n  X: got [PEM block not shown] there');
  });
});
