import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith } from '../../src/config/config.js';
import { eventually } from '../support/eventually.js';
import { PeakSource } from '../../fake-node/in-memory/peak-source.js';
import { startLiveApp, type LiveApp } from './live-app.js';

let live: LiveApp | undefined;
let app: GatewayApp | undefined;

afterEach(async () => {
  await live?.app.close();
  await app?.close();
  live = undefined;
  app = undefined;
});

/** Sends a raw WebSocket upgrade request for `path` and collects everything until the server closes. */
function rawUpgrade(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
  });
}

describe('@fastify/websocket confined to the WebSocket routes', () => {
  it('adds nothing to the other routes', async () => {
    app = await buildApp({ config: configWith({ logLevel: 'silent' }), upstream: new PeakSource(), logger: false });
    // The plugin's onRequest hook sets request.ws on every request of its scope.
    app.get('/test/probe', async (request) => ({ decorated: 'ws' in request }));
    const res = await app.inject('/test/probe');
    expect(res.json()).toEqual({ decorated: false });
  });

  it('serves /v1/ws through injectWS on the root instance', async () => {
    app = await buildApp({ config: configWith({ logLevel: 'silent' }), upstream: new PeakSource(), logger: false });
    await app.ready();
    const types: string[] = [];
    // The live guard watches the request's socket: an injected request gets an unconnected one.
    const ws = await app.injectWS('/v1/ws', { socket: new net.Socket() }, {
      onInit: (socket) => socket.on('message', (data) => types.push((JSON.parse(String(data)) as { type: string }).type)),
    });
    await eventually('the hello message', () => types.includes('hello'), 10_000);
    expect(types).toContain('hello');
    expect(app.websocketServer.clients.size).toBe(1);
    ws.terminate();
  });

  it('answers an upgrade request for a plain route as HTTP, then closes the socket', async () => {
    live = await startLiveApp();
    const port = Number(new URL(live.base).port);
    const health = await rawUpgrade(port, '/healthz');
    expect(health).toMatch(/^HTTP\/1\.1 200 /);
    expect(health.toLowerCase()).toContain('connection: close');
    expect(health).toContain('"status":"ok"');
    const unknown = await rawUpgrade(port, '/v1/nothing-here');
    expect(unknown).toMatch(/^HTTP\/1\.1 404 /);
    expect(unknown).toContain('application/problem+json');
  });

  it('still upgrades /v1/ws, query string included', async () => {
    live = await startLiveApp();
    const port = Number(new URL(live.base).port);
    const socket = net.connect(port, '127.0.0.1');
    const head = await new Promise<string>((resolve, reject) => {
      socket.setEncoding('utf8');
      socket.once('data', (chunk: string) => resolve(chunk));
      socket.on('error', reject);
      socket.write(
        'GET /v1/ws?since=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    });
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    socket.destroy();
  });
});
