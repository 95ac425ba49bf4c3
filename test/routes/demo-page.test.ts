/**
 * Drives the demo page (GET /) in real headless Chromium against a listening gateway whose real
 * upstream manager is linked to the strict fake full node: the live peak appears, heights link to their
 * block, reorgs are marked, after a forced disconnect the page reconnects with its cursor in the URL and
 * shows the peaks it missed (even when a live peak follows hello at once), and after the gateway restarts
 * with a new chain the page starts over. Needs Debian's chromium at /usr/bin/chromium: skipped locally
 * when absent, a failure in CI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startNodeApp, type NodeApp } from '../live/live-app.js';
import { browserTestsRun, launchChromium } from '../support/chromium.js';

const UI_TIMEOUT_MS = 20_000;

describe.runIf(browserTestsRun('demo-page test'))('demo page in Chromium, fed by the fake full node', () => {
  let gw: NodeApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    gw = await startNodeApp();
    browser = await launchChromium();
    page = await browser.newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  const recentHeights = (p = page) => p.$$eval('#recent li.peak', (items) => items.map((li) => Number(li.getAttribute('data-height'))));
  const shownHeight = async (p = page) => Number((await p.textContent('#peak-height'))?.replace(/,/g, ''));
  const statusOf = (p = page) => p.getAttribute('#status', 'data-state');
  const notes = (p = page) => p.$$eval('#recent li.note', (items) => items.map((li) => li.textContent ?? ''));
  const hexOf = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString('hex')}`;

  /**
   * Drops every live connection and holds reconnects off (503 at the upgrade) while `blocks` new blocks
   * reach the gateway, so the pages can only get them from the replay buffer; then lets them reconnect.
   */
  async function missWhileDisconnected(blocks: number, p = page): Promise<void> {
    const { ws } = gw.app.config;
    const maxClients = ws.maxClients;
    ws.maxClients = 0;
    for (const socket of gw.app.websocketServer.clients) socket.terminate();
    await expect.poll(() => statusOf(p), { timeout: UI_TIMEOUT_MS }).toBe('reconnecting');
    let expected = gw.node.chain.height;
    for (let i = 0; i < blocks; i++) expected = gw.node.chain.addBlock().height;
    await expect.poll(() => gw.app.upstream.peak()?.height, { timeout: UI_TIMEOUT_MS }).toBe(expected);
    expect(gw.app.peakHub.clientCount).toBe(0);
    ws.maxClients = maxClients;
  }

  it('shows the live peak and new peaks as they come, with no console errors or external requests', async () => {
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => !r.url().startsWith(gw.base) && !r.url().startsWith('ws://127.0.0.1') && problems.push(r.url()));

    const response = await page.goto(gw.base + '/');
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    const start = gw.node.chain.height;
    await expect.poll(() => shownHeight(), { timeout: UI_TIMEOUT_MS }).toBe(start);
    await expect.poll(() => page.getAttribute('#status', 'data-state'), { timeout: UI_TIMEOUT_MS }).toBe('live');
    expect(await page.getAttribute('a[href="/docs"]', 'href')).toBe('/docs');

    const next = gw.node.chain.addBlock();
    await expect.poll(() => shownHeight(), { timeout: UI_TIMEOUT_MS }).toBe(next.height);
    expect(await page.textContent('#peak-hash')).toBe(hexOf(gw.node.chain.headerHash(next.height)));
    expect(await recentHeights()).toEqual([start + 1, start]);
    expect(problems).toEqual([]);
  });

  it('links each height to its block', async () => {
    const top = gw.node.chain.height;
    const href = await page.getAttribute('#recent li.peak .h a', 'href');
    expect(href).toBe(`/v1/blocks/${top}`);
    expect(await page.getAttribute('#peak-height a', 'href')).toBe(`/v1/blocks/${top}`);
    const block = await page.request.get(gw.base + href);
    expect(block.status()).toBe(200);
    expect(((await block.json()) as { header_hash: string }).header_hash).toBe(hexOf(gw.node.chain.headerHash(top)));
  });

  it('highlights a reorg', async () => {
    const before = gw.node.chain.height;
    const peak = gw.node.chain.reorg(2);
    await expect.poll(() => shownHeight(), { timeout: UI_TIMEOUT_MS }).toBe(peak.height);
    expect(await page.textContent('#recent li.reorg')).toContain(`heights ${before - 1}–${before} rolled back (fork point ${before - 2})`);
    const orphaned = await page.$$eval('#recent li.peak.orphaned', (items) => items.map((li) => Number(li.getAttribute('data-height'))));
    expect(orphaned).toEqual([before, before - 1]);
  });

  it('reconnects after a forced disconnect and shows the peaks it missed', async () => {
    const last = gw.node.chain.height;
    await missWhileDisconnected(2);

    await expect.poll(() => shownHeight(), { timeout: UI_TIMEOUT_MS }).toBe(last + 2);
    await expect.poll(() => statusOf(), { timeout: UI_TIMEOUT_MS }).toBe('live');
    const heights = await recentHeights();
    expect(heights.slice(0, 3)).toEqual([last + 2, last + 1, last]);

    const live = gw.node.chain.addBlock();
    await expect.poll(async () => (await recentHeights())[0], { timeout: UI_TIMEOUT_MS }).toBe(live.height);
  });

  it('reconnects with its cursor in the URL, so a live peak right after hello cannot hide replayed peaks', async () => {
    // A page of its own, whose WebSockets pass through a route: on a reconnect, a block is made as soon
    // as hello reaches the page, and whatever the page sends is held until that live peak has reached it.
    const context = await browser.newContext();
    try {
      const racePage = await context.newPage();
      const urls: string[] = [];
      await racePage.routeWebSocket(/\/v1\/ws/, (route) => {
        urls.push(route.url());
        const server = route.connectToServer();
        if (urls.length === 1) return;
        let target: number | undefined;
        let delivered: () => void = () => undefined;
        const livePeakDelivered = new Promise<void>((resolve) => (delivered = resolve));
        server.onMessage((message) => {
          route.send(message);
          const parsed = JSON.parse(String(message)) as { type: string; data?: { height?: number } };
          if (parsed.type === 'hello' && target === undefined) target = gw.node.chain.addBlock().height;
          if (parsed.type === 'peak' && parsed.data?.height === target) delivered();
        });
        route.onMessage((message) => void livePeakDelivered.then(() => server.send(message)));
      });
      await racePage.goto(gw.base + '/');
      const last = gw.node.chain.height;
      await expect.poll(() => shownHeight(racePage), { timeout: UI_TIMEOUT_MS }).toBe(last);

      await missWhileDisconnected(2, racePage);
      await expect.poll(() => shownHeight(racePage), { timeout: UI_TIMEOUT_MS }).toBe(last + 3);
      await expect.poll(async () => (await recentHeights(racePage)).slice(0, 4), { timeout: UI_TIMEOUT_MS }).toEqual([
        last + 3,
        last + 2,
        last + 1,
        last,
      ]);
      const reconnect = new URL(urls[urls.length - 1] ?? '');
      expect(reconnect.searchParams.get('last_event_id')).toMatch(/^[0-9]+:[0-9a-f]{64}:(peak|reorg)$/);
      expect(await notes(racePage)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('starts over when the gateway restarts with a new chain, instead of listing lower heights as missed', async () => {
    const shown = await shownHeight();
    const port = Number(new URL(gw.base).port);
    await gw.close();
    await expect.poll(() => statusOf(), { timeout: UI_TIMEOUT_MS }).toBe('reconnecting');
    // The same address, a new process (new event ids) and a new, shorter chain.
    gw = await startNodeApp(undefined, port);
    const restarted = gw.node.chain.height;
    expect(restarted).toBeLessThan(shown);

    await expect.poll(() => recentHeights(), { timeout: UI_TIMEOUT_MS }).toEqual([restarted]);
    expect(await shownHeight()).toBe(restarted);
    expect(await notes()).toEqual(['The gateway restarted: starting over']);
    const next = gw.node.chain.addBlock();
    await expect.poll(() => recentHeights(), { timeout: UI_TIMEOUT_MS }).toEqual([next.height, restarted]);
  });
});
