/**
 * Errors raised before any route runs — by Fastify's router and by Node's HTTP parser — are
 * problem+json with a catalogue code like every other error, over inject and over real sockets; and
 * validation errors name the parameter and what it accepts, never a validator path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayApp } from '../../src/app.js';
import { ERRORS } from '../../src/http/errors.js';
import { listeningApp } from '../support/listening-app.js';
import { eventually } from '../support/eventually.js';
import { RawConnection, parseResponse, portOf, rawExchange, type RawResponse } from '../support/raw-http.js';

const PROBLEM = 'application/problem+json; charset=utf-8';

let app: GatewayApp;
let port: number;

beforeAll(async () => {
  app = await listeningApp();
  port = portOf(app);
});
afterAll(async () => {
  await app.close();
});

/** The problem body of a raw response, after checking it is problem+json with a catalogue code. */
function problemOf(response: RawResponse | undefined): { code: string; status: number; detail: string; request_id: string } {
  expect(response).toBeDefined();
  expect(response?.headers['content-type']).toBe(PROBLEM);
  const body = JSON.parse(response?.body ?? '') as { code: string; status: number; detail: string; request_id: string };
  expect(Object.keys(ERRORS)).toContain(body.code);
  expect(body.status).toBe(response?.status);
  return body;
}

describe("Fastify's router errors", () => {
  it('a path parameter over 100 characters → 414 PATH_PARAMETER_TOO_LONG', async () => {
    const res = await app.inject(`/v1/blocks/${'1'.repeat(101)}`);
    expect(res.statusCode).toBe(414);
    expect(res.headers['content-type']).toBe(PROBLEM);
    expect(res.json()).toMatchObject({ code: 'PATH_PARAMETER_TOO_LONG', detail: 'a path parameter is longer than 100 characters' });
  });

  it('a bad percent-encoding → 400 INVALID_URL, with the edge headers hooks never saw', async () => {
    const res = await app.inject({ url: '/v1/blocks/%E0%A4%A', headers: { origin: 'https://app.example', 'x-request-id': 'edge-1' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe(PROBLEM);
    expect(res.json()).toMatchObject({ code: 'INVALID_URL', instance: '/v1/blocks/%E0%A4%A', request_id: 'edge-1' });
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBe('edge-1');
  });

  it('both over a real socket', async () => {
    for (const [path, status, code] of [
      [`/v1/blocks/${'9'.repeat(150)}`, 414, 'PATH_PARAMETER_TOO_LONG'],
      ['/v1/blocks/%E0%A4%A', 400, 'INVALID_URL'],
    ] as const) {
      const { response } = await rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(response?.status).toBe(status);
      expect(problemOf(response).code).toBe(code);
    }
  });
});

describe("Node's HTTP parser errors, over a real socket", () => {
  /** [what, status, code, raw request, detail] */
  const cases: [string, number, string, string, RegExp][] = [
    ['headers over the size limit', 431, 'HEADERS_TOO_LARGE', `GET /v1/peak HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, /exceed 16384 bytes/],
    ['a bad request line', 400, 'MALFORMED_REQUEST', 'GET /v1/peak HTTP/9.9 extra\r\nHost: x\r\n\r\n', /^the request is not valid HTTP\/1\.1: Invalid HTTP version$/],
    ['a control character in a header value', 400, 'MALFORMED_REQUEST', 'GET /v1/peak HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n', /Invalid header value char/],
    ['a space in a header name', 400, 'MALFORMED_REQUEST', 'GET /v1/peak HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n', /Invalid header token/],
    [
      'Content-Length with Transfer-Encoding',
      400,
      'MALFORMED_REQUEST',
      'POST /v1/peak HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      /Transfer-Encoding can't be present with Content-Length/,
    ],
  ];
  it.each(cases)('%s → %i %s, and the connection is closed', async (_name, status, code, request, detail) => {
    const { response } = await rawExchange(port, request);
    expect(response?.status).toBe(status);
    const body = problemOf(response);
    expect(body.code).toBe(code);
    expect(body.detail).toMatch(detail);
    expect(response?.headers.connection).toBe('close');
    expect(response?.headers['x-content-type-options']).toBe('nosniff');
    expect(response?.headers['x-request-id']).toBe(body.request_id);
  });

  it('leaves the server serving', async () => {
    const { response } = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(response?.status).toBe(200);
  });
});

describe('validation errors name the parameter and what it accepts', () => {
  const cases: [string, string][] = [
    ['/v1/blocks/4294967296', 'height must be a decimal integer between 0 and 4294967295'],
    ['/v1/blocks/0x10', 'height must be a decimal integer between 0 and 4294967295'],
    ['/v1/blocks/1?ints=bogus', 'ints must be one of: string, number'],
    ['/v1/blocks?start=1', 'end is required with start'],
    ['/v1/headers?end=9', 'start is required with end'],
    ['/v1/blocks', 'start is required'],
    ['/v1/blocks?start=0&end=-2', 'end must be a decimal integer between 0 and 4294967295'],
    ['/v1/events?since=-1', 'since must be a decimal integer between 0 and 4294967295'],
  ];
  it.each(cases)('%s → "%s"', async (url, detail) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_PARAMETER', detail });
    expect(res.body).not.toMatch(/params\/|querystring|must be <=|must have required/);
  });
});

describe('requests arriving during shutdown', () => {
  it('get 503 SHUTTING_DOWN problem+json, not a plain 503', async () => {
    let release: (() => void) | undefined;
    const closing = await listeningApp({}, (a) =>
      a.get('/test/slow', async () => {
        await new Promise<void>((resolve) => (release = resolve));
        return { done: true };
      }),
    );
    let requests = 0;
    closing.server.on('request', () => requests++);
    const connection = new RawConnection(portOf(closing));
    await connection.write('GET /test/slow HTTP/1.1\r\nHost: x\r\n\r\n');
    // The slow request is in flight, so its keep-alive connection stays open while the app closes.
    await eventually('the slow request to start', async () => release, 5_000);
    const closed = closing.close();
    // A request pipelined on that connection after the close started.
    await connection.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await eventually('the pipelined request to arrive', () => requests === 2, 5_000);
    release?.();
    await closed;
    await connection.closed;
    const text = connection.text();
    expect(parseResponse(text)?.status).toBe(200);
    const second = parseResponse(text.slice(text.indexOf('HTTP/1.1', 1)));
    expect(second?.status).toBe(503);
    expect(problemOf(second).code).toBe('SHUTTING_DOWN');
    expect(second?.headers.connection).toBe('close');
  });
});
