/**
 * A page on another origin POSTs JSON to the gateway in real headless Chromium: the browser's preflight
 * is answered so that the POST is sent and its answer readable, on the default policy (any origin) and
 * on an origin list naming the page; an origin not on the list is refused by the browser itself. The
 * page comes from a plain HTTP server at `http://localhost:<port>`, the gateway listens on 127.0.0.1:
 * two origins, both loopback (Chromium refuses a public page's requests to loopback outright).
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { GatewayApp } from '../../src/app.js';
import type { GatewayConfig } from '../../src/config/config.js';
import { browserTestsRun, launchChromium } from '../support/chromium.js';
import { listeningApp } from '../support/listening-app.js';
import { portOf } from '../support/raw-http.js';

/** What the page's fetch saw: the status and problem code, or the browser's refusal. */
type Outcome = { status: number; code: unknown } | { refused: string };


describe.runIf(browserTestsRun('CORS browser test'))('cross-origin POST from Chromium', () => {
  let browser: Browser;
  let pageServer: Server;
  let pageOrigin: string;
  const apps: GatewayApp[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    pageServer = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title>'));
    pageServer.listen(0, '127.0.0.1');
    await once(pageServer, 'listening');
    pageOrigin = `http://localhost:${(pageServer.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    pageServer?.close();
    for (const app of apps) await app.close();
  });

  /** The page and a gateway with `overrides`; `preflights` counts the OPTIONS requests the gateway got. */
  async function pageBeside(overrides: Partial<GatewayConfig>): Promise<{ page: Page; api: string; preflights: string[] }> {
    const preflights: string[] = [];
    const app = await listeningApp(overrides, (gateway) =>
      gateway.addHook('onRequest', async (request) => {
        if (request.method === 'OPTIONS') preflights.push(`${String(request.headers['access-control-request-method'])} ${request.url}`);
      }),
    );
    apps.push(app);
    const page = await browser.newPage();
    await page.goto(`${pageOrigin}/`);
    return { page, api: `http://127.0.0.1:${portOf(app)}`, preflights };
  }

  const post = (page: Page, url: string, type: string, body: string): Promise<Outcome> =>
    page.evaluate(
      async ({ url, type, body }) => {
        try {
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
          const json = (await res.json()) as { code?: unknown };
          return { status: res.status, code: json.code };
        } catch (error) {
          return { refused: String(error) };
        }
      },
      { url, type, body },
    );
  const postJson = (page: Page, url: string, body: unknown) => post(page, url, 'application/json', JSON.stringify(body));

  it('sends a JSON POST after the preflight and reads its answer, errors included', async () => {
    const { page, api, preflights } = await pageBeside({});
    expect(await postJson(page, `${api}/v1/coins/query`, { coin_ids: ['nonsense'] })).toEqual({ status: 400, code: 'INVALID_PARAMETER' });
    expect(await postJson(page, `${api}/v1/transactions`, {})).toMatchObject({ status: 400 });
    expect(await post(page, `${api}/v1/transactions`, 'application/octet-stream', 'not a spend bundle')).toMatchObject({ status: 400 });
    // Neither body type is CORS-safelisted: the browser asked first (once per path: it caches the answer).
    expect(preflights).toEqual(['POST /v1/coins/query', 'POST /v1/transactions']);
  });

  it('allows a listed origin and lets the browser refuse any other', async () => {
    const listed = await pageBeside({ corsOrigins: ['https://app.example', pageOrigin] });
    expect(await postJson(listed.page, `${listed.api}/v1/coins/query`, { coin_ids: ['nonsense'] })).toEqual({ status: 400, code: 'INVALID_PARAMETER' });
    const unlisted = await pageBeside({ corsOrigins: ['https://app.example'] });
    expect(await postJson(unlisted.page, `${unlisted.api}/v1/coins/query`, { coin_ids: ['nonsense'] })).toEqual({
      refused: expect.stringContaining('Failed to fetch'),
    });
  });
});
