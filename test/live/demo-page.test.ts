/**
 * Drives the demo page (GET /) in real headless Chromium against a listening gateway whose real
 * upstream manager is linked to the strict fake full node: the live peak appears, reorgs are marked,
 * and after a forced disconnect the page reconnects and shows the peaks it missed. Needs Debian's
 * chromium at /usr/bin/chromium: skipped locally when absent, a failure in CI.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startNodeApp, type NodeApp } from './live-app.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI !== undefined && process.env.CI !== '';
const UI_TIMEOUT_MS = 20_000;

if (!HAVE_CHROMIUM && !IN_CI) {
  console.warn(`demo-page test skipped: ${CHROMIUM} not found (apt-get install -y chromium); CI requires it`);
}

describe.skipIf(!HAVE_CHROMIUM && !IN_CI)('demo page in Chromium, fed by the fake full node', () => {
  let gw: NodeApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`CI must provide Chromium at ${CHROMIUM}`);
    gw = await startNodeApp();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  const recentHeights = () => page.$$eval('#recent li.peak', (items) => items.map((li) => Number(li.getAttribute('data-height'))));
  const shownHeight = async () => Number((await page.textContent('#peak-height'))?.replace(/,/g, ''));
  const hexOf = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString('hex')}`;

  it('shows the live peak and new peaks as they come, with no console errors or external requests', async () => {
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => !r.url().startsWith(gw.base) && !r.url().startsWith('ws://127.0.0.1') && problems.push(r.url()));

    const response = await page.goto(gw.base + '/');
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    const start = gw.node.chain.height;
    await expect.poll(shownHeight, { timeout: UI_TIMEOUT_MS }).toBe(start);
    await expect.poll(() => page.getAttribute('#status', 'data-state'), { timeout: UI_TIMEOUT_MS }).toBe('live');
    expect(await page.getAttribute('a[href="/docs"]', 'href')).toBe('/docs');

    const next = gw.node.chain.addBlock();
    await expect.poll(shownHeight, { timeout: UI_TIMEOUT_MS }).toBe(next.height);
    expect(await page.textContent('#peak-hash')).toBe(hexOf(gw.node.chain.headerHash(next.height)));
    expect(await recentHeights()).toEqual([start + 1, start]);
    expect(problems).toEqual([]);
  });

  it('highlights a reorg', async () => {
    const before = gw.node.chain.height;
    const peak = gw.node.chain.reorg(2);
    await expect.poll(shownHeight, { timeout: UI_TIMEOUT_MS }).toBe(peak.height);
    expect(await page.textContent('#recent li.reorg')).toContain(`heights ${before - 1}–${before} rolled back (fork point ${before - 2})`);
    const orphaned = await page.$$eval('#recent li.peak.orphaned', (items) => items.map((li) => Number(li.getAttribute('data-height'))));
    expect(orphaned).toEqual([before, before - 1]);
  });

  it('reconnects after a forced disconnect and shows the peaks it missed', async () => {
    const last = gw.node.chain.height;
    // Hold reconnects off (503 at the upgrade) until the gateway has the peaks made meanwhile, so
    // the page can only get them from the replay buffer.
    const { ws } = gw.app.config;
    const maxClients = ws.maxClients;
    ws.maxClients = 0;
    for (const socket of gw.app.websocketServer.clients) socket.terminate();
    await expect.poll(() => page.getAttribute('#status', 'data-state'), { timeout: UI_TIMEOUT_MS }).toBe('reconnecting');
    gw.node.chain.addBlock();
    gw.node.chain.addBlock();
    await expect.poll(() => gw.app.upstream.peak()?.height, { timeout: UI_TIMEOUT_MS }).toBe(last + 2);
    expect(gw.app.peakHub.clientCount).toBe(0);
    ws.maxClients = maxClients;

    await expect.poll(shownHeight, { timeout: UI_TIMEOUT_MS }).toBe(last + 2);
    await expect.poll(() => page.getAttribute('#status', 'data-state'), { timeout: UI_TIMEOUT_MS }).toBe('live');
    const heights = await recentHeights();
    expect(heights.slice(0, 3)).toEqual([last + 2, last + 1, last]);

    const live = gw.node.chain.addBlock();
    await expect.poll(async () => (await recentHeights())[0], { timeout: UI_TIMEOUT_MS }).toBe(live.height);
  });
});
