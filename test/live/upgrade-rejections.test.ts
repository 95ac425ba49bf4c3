/**
 * Every WebSocket upgrade the gateway does not accept is answered with problem+json and a catalogue
 * code, then its socket is closed: whatever the method, the path or the flaw in the handshake. Over
 * real sockets, counting the connections the server still holds.
 */
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/http/errors.js';
import { eventually } from '../support/eventually.js';
import { LiveClient, liveTestScope, type LiveApp } from './live-app.js';
import { UPGRADE_HEADERS, portOf, rawRequest, serverConnections, type RawResponse } from '../support/raw-http.js';

const ALLOWED = 'https://explorer.example';
const WAIT_MS = 10_000;

const scope = liveTestScope();

interface Case {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  status: number;
  code: keyof typeof ERRORS;
}

const CASES: Case[] = [
  { name: 'POST', method: 'POST', path: '/v1/ws', headers: UPGRADE_HEADERS, status: 405, code: 'METHOD_NOT_ALLOWED' },
  { name: 'PUT with a body', method: 'PUT', path: '/v1/ws', headers: { ...UPGRADE_HEADERS, 'content-length': '0' }, status: 405, code: 'METHOD_NOT_ALLOWED' },
  { name: 'unknown path', method: 'GET', path: '/v1/nowhere', headers: UPGRADE_HEADERS, status: 404, code: 'ROUTE_NOT_FOUND' },
  { name: 'Upgrade: h2c', method: 'GET', path: '/v1/ws', headers: { ...UPGRADE_HEADERS, upgrade: 'h2c' }, status: 426, code: 'LIVE_UPGRADE_REQUIRED' },
  {
    name: 'version 12',
    method: 'GET',
    path: '/v1/ws',
    headers: { ...UPGRADE_HEADERS, 'sec-websocket-version': '12' },
    status: 426,
    code: 'LIVE_WEBSOCKET_VERSION_UNSUPPORTED',
  },
  { name: 'bad key', method: 'GET', path: '/v1/ws', headers: { ...UPGRADE_HEADERS, 'sec-websocket-key': 'short' }, status: 400, code: 'LIVE_HANDSHAKE_INVALID' },
  {
    name: 'bad subprotocol list',
    method: 'GET',
    path: '/v1/ws',
    headers: { ...UPGRADE_HEADERS, 'sec-websocket-protocol': 'a,,a' },
    status: 400,
    code: 'LIVE_HANDSHAKE_INVALID',
  },
  { name: 'origin refused', method: 'GET', path: '/v1/ws', headers: { ...UPGRADE_HEADERS, origin: 'https://evil.example' }, status: 403, code: 'LIVE_ORIGIN_FORBIDDEN' },
  { name: 'gateway full', method: 'GET', path: '/v1/ws', headers: UPGRADE_HEADERS, status: 503, code: 'LIVE_TOO_MANY_CLIENTS' },
  // Cursors are checked before the capacity: a malformed request is told so even when the gateway is full.
  { name: 'bad cursor', method: 'GET', path: '/v1/ws?since=0x10', headers: UPGRADE_HEADERS, status: 400, code: 'INVALID_PARAMETER' },
];

function expectProblem(response: RawResponse, c: Case): void {
  expect(response.status, c.name).toBe(c.status);
  expect(response.headers['content-type'], c.name).toContain('application/problem+json');
  expect(response.headers.connection?.toLowerCase(), c.name).toBe('close');
  const body = JSON.parse(response.body) as { code: string; status: number };
  expect(body, c.name).toMatchObject({ code: c.code, status: c.status });
  expect(ERRORS[c.code].status).toBe(c.status);
}

/** A gateway full of live clients (ws.maxClients 1, held by one client) that allows one origin. */
async function fullGateway(): Promise<{ live: LiveApp; port: number }> {
  const live = await scope.start({ maxClients: 1, allowedOrigins: [ALLOWED] });
  const holder = new LiveClient(live.wsUrl());
  scope.closeAfter(() => holder.close());
  await holder.until((m) => m.length >= 1, 'hello');
  return { live, port: portOf(live.app) };
}

describe('rejected WebSocket upgrades', () => {
  it('are answered with problem+json and a catalogue code, then the server closes the socket', async () => {
    const { port } = await fullGateway();
    for (const c of CASES) {
      // The client keeps its side open: the server must close the connection by itself.
      const exchange = rawRequest(port, c.method, c.path, c.headers, false);
      expectProblem(await exchange.response, c);
      await exchange.serverClosed;
      exchange.socket.destroy();
    }
  });

  it('leave no open socket on the server after 100 of them (clients that close like curl)', async () => {
    const { live } = await fullGateway();
    const port = portOf(live.app);
    const ROUNDS = 10;
    const answered: { c: Case; response: RawResponse }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const exchanges = CASES.map((c) => ({ c, exchange: rawRequest(port, c.method, c.path, c.headers, true) }));
      for (const { c, exchange } of exchanges) answered.push({ c, response: await exchange.response });
    }
    expect(answered).toHaveLength(ROUNDS * CASES.length);
    // Only the connected live client is left.
    await eventually('the server to close every rejected upgrade', async () => (await serverConnections(live.app)) === 1, WAIT_MS);
    expect(live.app.peakHub.slotsInUse).toBe(1);
    for (const { c, response } of answered) expectProblem(response, c);
  });

  it('answers HEAD with Upgrade on /v1/ws without a body, then closes', async () => {
    const live = await scope.start();
    const exchange = rawRequest(portOf(live.app), 'HEAD', '/v1/ws', UPGRADE_HEADERS, false);
    const response = await exchange.response;
    expect(response.status).toBe(426);
    expect(response.headers['content-type']).toContain('application/problem+json');
    await exchange.serverClosed;
    await eventually('no connection left', async () => (await serverConnections(live.app)) === 0, WAIT_MS);
  });
});
