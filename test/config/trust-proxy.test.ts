/** CHIA_GATEWAY_TRUST_PROXY: parsed strictly, and behind a trusted proxy the X-Forwarded-For client is request.ip (rate-limit key, logs). */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { EXIT_BAD_CONFIG } from '../../src/process/exit-codes.js';
import { main } from '../../src/server.js';
import { configWith, type GatewayConfig } from '../../src/config/config.js';
import { issuesOf, parse } from '../support/config-issues.js';
import { OpsUpstreamDouble } from '../support/ops-upstream-double.js';

const VARIABLE = 'CHIA_GATEWAY_TRUST_PROXY';
describe(`${VARIABLE} parsing`, () => {
  it('is off by default', () => {
    expect(parse().trustProxy).toBe(false);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['false', false],
    ['1', 1],
    ['32', 32],
    ['127.0.0.1', ['127.0.0.1']],
    [' 127.0.0.1, 10.0.0.0/8 ,::1,fd00::/8,192.168.0.0/32,::/0', ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', '192.168.0.0/32', '::/0']],
  ])('accepts %s', (value, expected) => {
    expect(parse({ [VARIABLE]: value }).trustProxy).toEqual(expected);
  });

  it('takes the flag over the variable, in both flag forms', () => {
    expect(parse({ [VARIABLE]: 'true' }, ['--trust-proxy', '10.0.0.1']).trustProxy).toEqual(['10.0.0.1']);
    expect(parse({ [VARIABLE]: '10.0.0.1' }, ['--trust-proxy=false']).trustProxy).toBe(false);
  });

  it.each([
    ['0', 'a hop count must be from 1 to 32'],
    ['33', 'a hop count must be from 1 to 32'],
    ['yes', '"yes" is not an IP address or CIDR'],
    ['-1', '"-1" is not an IP address or CIDR'],
    ['1.5', '"1.5" is not an IP address or CIDR'],
    ['10.0.0.0/33', '"10.0.0.0/33" is not an IP address or CIDR'],
    ['::1/129', '"::1/129" is not an IP address or CIDR'],
    ['10.0.0.0/8/8', '"10.0.0.0/8/8" is not'],
    ['10.0.0.0/255.0.0.0', '"10.0.0.0/255.0.0.0" is not'],
    ['10.0.0.0/', '"10.0.0.0/" is not'],
    ['[::1]', '"[::1]" is not'],
    ['fe80::1%eth0', '"fe80::1%eth0" is not'],
    ['loopback', '"loopback" is not'],
    ['127.0.0.1,proxy.internal,true', '"proxy.internal", "true" are not IP addresses or CIDRs'],
    [',', 'got ","'],
  ])('rejects %s, naming the variable and what it accepts', (value, detail) => {
    const issues = issuesOf({ [VARIABLE]: value });
    expect(issues.map((i) => i.name)).toEqual([VARIABLE]);
    expect(issues[0]?.message).toContain('expected true, false, a hop count from 1 to 32, or a comma-separated list of proxy IP addresses or CIDRs');
    expect(issues[0]?.message).toContain(`got "${value}"`);
    expect(issues[0]?.message).toContain(detail);
  });

  it('names the flag when the bad value came from it, listed with every other problem', () => {
    const issues = issuesOf({ PORT: 'http' }, ['--trust-proxy', 'nginx']);
    expect(issues.map((i) => i.name).sort()).toEqual(['--trust-proxy', 'PORT']);
  });

  it('makes the command exit 2 with every problem listed', async () => {
    let err = '';
    const io = { stdout: () => undefined, stderr: (text: string) => void (err += text) };
    expect(await main(['--trust-proxy=0'], { [VARIABLE]: 'x', CHIA_GATEWAY_RATE_LIMIT: 'lots' }, io)).toBe(EXIT_BAD_CONFIG);
    expect(err).toContain('invalid configuration (2 problems)');
    expect(err).toContain('--trust-proxy: expected true, false, a hop count');
    expect(err).toContain('CHIA_GATEWAY_RATE_LIMIT: expected an integer');
  });
});

const PROXY = '127.0.0.1';
const [CLIENT_A, CLIENT_B, CLIENT_C] = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];
const STRANGER = '198.51.100.7';

let app: GatewayApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** The real app, one request per minute per client, plus a route that tells the client address it saw. */
async function appWith(overrides: Partial<GatewayConfig>, logger: BuildLogger = false): Promise<GatewayApp> {
  app = await buildApp({ config: configWith({ logLevel: 'silent', rateLimitPerMinute: 1, ...overrides }), upstream: new OpsUpstreamDouble(), logger });
  app.get('/test/ip', async (request) => ({ ip: request.ip }));
  await app.ready();
  return app;
}
type BuildLogger = Parameters<typeof buildApp>[0]['logger'];

/** A request from a socket address, optionally carrying X-Forwarded-For. */
async function from(a: GatewayApp, remoteAddress: string, forwardedFor?: string): Promise<{ status: number; ip: string | undefined }> {
  const headers = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  const res = await a.inject({ method: 'GET', url: '/test/ip', remoteAddress, headers });
  return { status: res.statusCode, ip: res.statusCode === 200 ? res.json<{ ip: string }>().ip : undefined };
}

describe('client address behind a reverse proxy', () => {
  it('ignores X-Forwarded-For by default: clients behind one proxy share its rate-limit bucket', async () => {
    const a = await appWith({});
    expect(await from(a, PROXY, CLIENT_A)).toEqual({ status: 200, ip: PROXY });
    expect((await from(a, PROXY, CLIENT_B)).status).toBe(429);
  });

  it('trusting listed proxy addresses and CIDRs, gives each forwarded client its own bucket', async () => {
    const a = await appWith({ trustProxy: [PROXY, '10.0.0.0/8'] });
    expect(await from(a, PROXY, CLIENT_A)).toEqual({ status: 200, ip: CLIENT_A });
    expect(await from(a, PROXY, CLIENT_B)).toEqual({ status: 200, ip: CLIENT_B });
    expect((await from(a, PROXY, CLIENT_A)).status).toBe(429);
    // Through two trusted proxies, and with a forged entry the client wrote itself before the proxy appended.
    expect(await from(a, '10.1.2.3', `${STRANGER}, ${CLIENT_C}, 10.9.9.9`)).toEqual({ status: 200, ip: CLIENT_C });
  });

  it('ignores X-Forwarded-For sent by an address it does not trust', async () => {
    const a = await appWith({ trustProxy: [PROXY] });
    expect(await from(a, STRANGER, CLIENT_A)).toEqual({ status: 200, ip: STRANGER });
    // A second spoofed client from the same address lands in the same bucket…
    expect((await from(a, STRANGER, CLIENT_B)).status).toBe(429);
    // …and the spoofed address's own bucket is untouched.
    expect(await from(a, PROXY, CLIENT_A)).toEqual({ status: 200, ip: CLIENT_A });
  });

  it('with a hop count, takes the client that many hops back', async () => {
    const one = await appWith({ trustProxy: 1 });
    expect(await from(one, PROXY, CLIENT_A)).toEqual({ status: 200, ip: CLIENT_A });
    expect(await from(one, PROXY, CLIENT_B)).toEqual({ status: 200, ip: CLIENT_B });
    expect((await from(one, PROXY, CLIENT_A)).status).toBe(429);
    // An entry the client forged before the one proxy appended its address is not believed.
    expect(await from(one, PROXY, `${STRANGER}, ${CLIENT_C}`)).toEqual({ status: 200, ip: CLIENT_C });
    await one.close();

    const two = await appWith({ trustProxy: 2 });
    expect(await from(two, PROXY, `${STRANGER}, ${CLIENT_A}, 10.0.0.6`)).toEqual({ status: 200, ip: CLIENT_A });
  });

  it('with true, takes the leftmost X-Forwarded-For address', async () => {
    const a = await appWith({ trustProxy: true });
    expect(await from(a, PROXY, `${CLIENT_A}, 10.0.0.6`)).toEqual({ status: 200, ip: CLIENT_A });
    expect(await from(a, PROXY, `${CLIENT_B}, 10.0.0.6`)).toEqual({ status: 200, ip: CLIENT_B });
  });

  it('logs the forwarded client as the remote address', async () => {
    const lines: { msg?: string; req?: { remoteAddress?: string } }[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as (typeof lines)[number]);
        done();
      },
    });
    const a = await appWith({ trustProxy: [PROXY] }, { level: 'info', stream });
    await from(a, PROXY, CLIENT_A);
    const incoming = lines.find((l) => l.msg === 'incoming request');
    expect(incoming?.req?.remoteAddress).toBe(CLIENT_A);
  });
});
