/**
 * The live Origin allowlist (ws.allowedOrigins) over real sockets: with a list, only the listed
 * origins pass, compared whole (scheme, host and port). A page whose Origin matches the Host header
 * it sends (DNS rebinding: the attacker's name resolving to the gateway) is not let through.
 */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { liveTestScope } from './live-app.js';

const ALLOWED = 'https://explorer.example';

const scope = liveTestScope();

/** The status of a WebSocket upgrade with these Origin and Host headers: 101 when it opens. */
function upgradeStatus(origin: string, host?: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(scope.live.wsUrl(), { origin, headers: host === undefined ? {} : { host } });
    scope.closeAfter(() => ws.terminate());
    ws.on('open', () => resolve(101));
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.on('error', () => resolve(0));
  });
}

/** The status of GET /v1/events with these Origin and Host headers. */
function sseStatus(origin: string, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { origin, ...(host === undefined ? {} : { host }) };
    const req = http.get(`${scope.live.base}/v1/events`, { headers }, (res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
  });
}

describe('live Origin allowlist', () => {
  it('refuses an Origin that matches the Host header it came with (DNS rebinding)', async () => {
    const live = await scope.start({ allowedOrigins: [ALLOWED] });
    const port = new URL(live.base).port;
    const rebound = `evil.example:${port}`;
    expect(await upgradeStatus(`http://${rebound}`, rebound)).toBe(403);
    expect(await sseStatus(`http://${rebound}`, rebound)).toBe(403);
    // The gateway's own address is no exception either: only listed origins pass.
    expect(await upgradeStatus(`http://127.0.0.1:${port}`)).toBe(403);
  });

  it('compares the scheme: http:// is not the listed https:// origin, even with a matching Host', async () => {
    await scope.start({ allowedOrigins: [ALLOWED] });
    expect(await upgradeStatus('http://explorer.example', 'explorer.example')).toBe(403);
    expect(await sseStatus('http://explorer.example', 'explorer.example')).toBe(403);
    expect(await upgradeStatus('https://explorer.example:8443', 'explorer.example:8443')).toBe(403);
  });

  it('lets the listed origin through on both transports', async () => {
    await scope.start({ allowedOrigins: [ALLOWED] });
    expect(await upgradeStatus(ALLOWED)).toBe(101);
    expect(await sseStatus(ALLOWED)).toBe(200);
  });

  it('lets any origin through without a list', async () => {
    await scope.start();
    expect(await upgradeStatus('https://anything.example')).toBe(101);
    expect(await sseStatus('https://anything.example')).toBe(200);
  });
});
