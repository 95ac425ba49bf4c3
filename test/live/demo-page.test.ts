/**
 * Drives the demo page (GET /) in real headless Chromium against a listening gateway: the live peak
 * appears, reorgs are marked, and after a forced disconnect the page reconnects and shows the peaks
 * it missed. Needs Debian's chromium at /usr/bin/chromium: skipped locally when absent, a failure in CI.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startLiveApp, type LiveApp } from './live-app.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI !== undefined && process.env.CI !== '';
const UI_TIMEOUT_MS = 20_000;

if (!HAVE_CHROMIUM && !IN_CI) {
  console.warn(`demo-page test skipped: ${CHROMIUM} not found (apt-get install -y chromium); CI requires it`);
}

describe.skipIf(!HAVE_CHROMIUM && !IN_CI)('demo page in Chromium', () => {
  let live: LiveApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`CI must provide Chromium at ${CHROMIUM}`);
    live = await startLiveApp();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await live?.app.close();
  });

  const recentHeights = () =>
    page.$$eval('#recent li.peak', (items) => items.map((li) => Number(li.getAttribute('data-height'))));

  it('shows the live peak and new peaks as they come, with no console errors or external requests', async () => {
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => !r.url().startsWith(live.base) && !r.url().startsWith('ws://127.0.0.1') && problems.push(r.url()));

    const response = await page.goto(live.base + '/');
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    await expect.poll(() => page.textContent('#peak-height'), { timeout: UI_TIMEOUT_MS }).toBe('100');
    await expect.poll(() => page.getAttribute('#status', 'data-state'), { timeout: UI_TIMEOUT_MS }).toBe('live');
    expect(await page.getAttribute('a[href="/docs"]', 'href')).toBe('/docs');

    const next = live.source.advance();
    await expect.poll(() => page.textContent('#peak-height'), { timeout: UI_TIMEOUT_MS }).toBe('101');
    expect(await page.textContent('#peak-hash')).toBe(next.header_hash);
    expect(await page.textContent('#peak-weight')).toBe(next.weight.toLocaleString('en-US'));
    expect(await recentHeights()).toEqual([101, 100]);
    expect(problems).toEqual([]);
  });

  it('highlights a reorg', async () => {
    live.source.reorg(1);
    await expect.poll(() => page.textContent('#peak-height'), { timeout: UI_TIMEOUT_MS }).toBe('102');
    const note = await page.textContent('#recent li.reorg');
    expect(note).toContain('heights 101–101 rolled back (fork point 100)');
  });

  it('reconnects after a forced disconnect and shows the peaks it missed', async () => {
    for (const socket of live.app.websocketServer.clients) socket.terminate();
    await expect.poll(() => page.getAttribute('#status', 'data-state'), { timeout: UI_TIMEOUT_MS }).toBe('reconnecting');
    // Made while the page is away: it must get them from the replay buffer.
    live.source.advance();
    live.source.advance();
    await expect.poll(() => page.textContent('#peak-height'), { timeout: UI_TIMEOUT_MS }).toBe('104');
    await expect.poll(() => page.getAttribute('#status', 'data-state'), { timeout: UI_TIMEOUT_MS }).toBe('live');
    expect(await recentHeights()).toEqual([104, 103, 102, 101, 100]);
    live.source.advance();
    await expect.poll(recentHeights, { timeout: UI_TIMEOUT_MS }).toEqual([105, 104, 103, 102, 101, 100]);
  });
});
