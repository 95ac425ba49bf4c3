/**
 * The demo page's "Watch an address" panel in real headless Chromium, against a listening gateway whose
 * real upstream manager is linked to the strict fake full node (devnet network; its state reads come in
 * pages of at most 50 coins): an address's unspent coins are listed first, page by page up to the
 * page's cap (shown), and the changes made after the block that list was read at follow with no gap and
 * no duplicate, even when they happen before the page subscribes; the prefilled demo address lists a
 * coin arriving and then spent, a reorg that rolls its block back is shown, a spend made
 * while the page is disconnected arrives after the reconnect (the resume from the page's coin cursor),
 * and a wrong-network address is refused clearly; no console error, no CSP violation, and the node
 * recorded no violation. Needs Debian's chromium at /usr/bin/chromium, as the demo-page test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { coinId, sha256, toHex } from '../../src/chia/codec/index.js';
import { addressPrefix, toAddress } from '../../src/coins/addresses.js';
import { DEVNET_PUZZLE_HASH } from '../../fake-node/devnet.js';
import { startNodeApp, type NodeApp } from '../live/live-app.js';
import { browserTestsRun, launchChromium } from '../support/chromium.js';

const UI_TIMEOUT_MS = 20_000;
const NETWORK = 'devnet';
const MOJOS_PER_XCH = 10n ** 12n;
/** The node's page of state reads (request_puzzle_state), so a query walk takes several. */
const NODE_PAGE_ITEMS = 50;
/** What the page shows at most, and the count of unspent coins after which its first list stops reading pages (public/app.js). */
const PAGE_MAX_COINS = 100;
/** Records every Content-Security-Policy violation of the page in `window.cspViolations`. */
const CSP_RECORDER = `window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`;

describe.runIf(browserTestsRun('demo watch test'))('demo page: watch an address, fed by the fake full node', () => {
  let gw: NodeApp;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    gw = await startNodeApp(40, 0, { maxResponseItems: NODE_PAGE_ITEMS });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    // Injected by the browser, not the page: it runs whatever the page's CSP says. (A string: the
    // tests are typed without the DOM.)
    await page.addInitScript(CSP_RECORDER);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  const stateOf = (id: string) => page.getAttribute(`#watch-coins tr[data-coin-id="${id}"]`, 'data-state');
  const cellOf = (id: string, className: string) => page.textContent(`#watch-coins tr[data-coin-id="${id}"] td.${className}`);
  const watchStatus = () => page.getAttribute('#watch-status', 'data-state');
  const peakStatus = () => page.getAttribute('#status', 'data-state');

  /** A coin paid to the demo address in the next transaction block: its id and that block's height. */
  function payDemoAddress(mojos: bigint): { id: string; height: number } {
    const coin = gw.node.chain.addCoin({ puzzle_hash: DEVNET_PUZZLE_HASH, amount: mojos });
    return { id: toHex(coinId(coin)), height: gw.node.chain.addTransactionBlock().height };
  }

  function spend(id: string): number {
    gw.node.chain.spendCoin(Buffer.from(id.slice(2), 'hex'));
    return gw.node.chain.addTransactionBlock().height;
  }

  const rows = () => page.$$eval('#watch-coins tr', (trs) => trs.map((tr) => tr.getAttribute('data-coin-id')));
  const addressOf = (name: string) => toAddress(sha256(Buffer.from(name)), addressPrefix(NETWORK));

  /** `count` coins paid to `address`'s puzzle hash over `blocks` transaction blocks; their ids. */
  function payMany(name: string, count: number, blocks: number): string[] {
    const ids: string[] = [];
    for (let b = 0; b < blocks; b++) {
      for (let i = 0; i < count / blocks; i++) ids.push(toHex(coinId(gw.node.chain.addCoin({ puzzle_hash: sha256(Buffer.from(name)), amount: BigInt(1 + ids.length) }))));
      gw.node.chain.addTransactionBlock();
    }
    return ids;
  }

  it('lists the unspent coins first, then the changes since the block they were read at, even those made before it subscribes', async () => {
    const name = 'initial list';
    const [spentBefore, ...unspent] = payMany(name, 4, 2);
    gw.node.chain.spendCoin(Buffer.from(spentBefore!.slice(2), 'hex'));
    gw.node.chain.addTransactionBlock();
    const listed = gw.node.chain.height;
    await expect.poll(() => gw.app.upstream.peak()?.height, { timeout: UI_TIMEOUT_MS }).toBe(listed);
    expect((await page.goto(gw.base + '/'))?.status()).toBe(200);
    await expect.poll(peakStatus, { timeout: UI_TIMEOUT_MS }).toBe('live');

    // The query's answer is held back until a coin is paid and a listed one spent, on the gateway's chain.
    let paid = '';
    let spentAt = 0;
    await page.route('**/v1/coins/query', async (route) => {
      const response = await route.fetch();
      paid = toHex(coinId(gw.node.chain.addCoin({ puzzle_hash: sha256(Buffer.from(name)), amount: 77n })));
      gw.node.chain.spendCoin(Buffer.from(unspent[0]!.slice(2), 'hex'));
      spentAt = gw.node.chain.addTransactionBlock().height;
      await expect.poll(() => gw.app.upstream.peak()?.height, { timeout: UI_TIMEOUT_MS }).toBe(spentAt);
      await route.fulfill({ response });
    });
    await page.fill('#watch-input', addressOf(name));
    await page.click('#watch-button');
    await expect.poll(watchStatus, { timeout: UI_TIMEOUT_MS }).toBe('live');
    await page.unroute('**/v1/coins/query');
    expect(await page.textContent('#watch-notes li.note')).toBe(`3 unspent coin(s) at height ${listed}; changes since follow`);

    await expect.poll(() => stateOf(paid), { timeout: UI_TIMEOUT_MS }).toBe('unspent');
    await expect.poll(() => stateOf(unspent[0]!), { timeout: UI_TIMEOUT_MS }).toBe('spent');
    expect(await cellOf(unspent[0]!, 'state')).toBe(`spent at ${spentAt}`);
    // Each coin once; the coin spent before the list was read is not in it.
    expect((await rows()).sort()).toEqual([paid, ...unspent].sort());
  });

  it('reads its first list page by page up to its cap, and says so', async () => {
    const name = 'many coins';
    // 4 blocks of 40: node pages of at most 50 are cut between blocks, 40 coins each.
    payMany(name, 160, 4);
    await expect.poll(() => gw.app.upstream.peak()?.height, { timeout: UI_TIMEOUT_MS }).toBe(gw.node.chain.height);
    const before = gw.node.requestCounts.request_puzzle_state ?? 0;
    await page.fill('#watch-input', addressOf(name));
    await page.click('#watch-button');
    await expect.poll(watchStatus, { timeout: UI_TIMEOUT_MS }).toBe('live');
    const note = await page.textContent('#watch-notes li.note');
    expect(note).toBe(`The first 3 pages of its unspent coins at height ${gw.node.chain.height}: 120 (it has more, the newest ${PAGE_MAX_COINS} shown); changes since follow`);
    expect(await rows()).toHaveLength(PAGE_MAX_COINS);
    // Three query pages, then the subscription's resume from the list's block.
    expect((gw.node.requestCounts.request_puzzle_state ?? 0) - before).toBeGreaterThanOrEqual(3);
  });

  it('watches the prefilled demo address and shows a coin arriving, then spent', async () => {
    expect((await page.goto(gw.base + '/'))?.status()).toBe(200);
    expect(await page.inputValue('#watch-input')).toBe(toAddress(DEVNET_PUZZLE_HASH, addressPrefix(NETWORK)));
    await expect.poll(peakStatus, { timeout: UI_TIMEOUT_MS }).toBe('live');
    await page.click('#watch-button');
    await expect.poll(watchStatus, { timeout: UI_TIMEOUT_MS }).toBe('live');

    const { id, height } = payDemoAddress(3n * MOJOS_PER_XCH / 1000n);
    await expect.poll(() => stateOf(id), { timeout: UI_TIMEOUT_MS }).toBe('unspent');
    expect(await cellOf(id, 'amount')).toBe('0.003');
    expect(await page.getAttribute(`#watch-coins tr[data-coin-id="${id}"] td.mono`, 'title')).toBe(id);
    expect(await page.getAttribute(`#watch-coins tr[data-coin-id="${id}"] td.created a`, 'href')).toBe(`/v1/blocks/${height}`);

    const spentAt = spend(id);
    await expect.poll(() => stateOf(id), { timeout: UI_TIMEOUT_MS }).toBe('spent');
    expect(await cellOf(id, 'state')).toBe(`spent at ${spentAt}`);
    expect(await page.getAttribute(`#watch-coins tr[data-coin-id="${id}"] td.state a`, 'href')).toBe(`/v1/blocks/${spentAt}`);
    expect(await page.isHidden('#watch-error')).toBe(true);
  });

  it('marks a coin whose block a reorg rolled back, and notes the reorg', async () => {
    const { id, height } = payDemoAddress(MOJOS_PER_XCH);
    await expect.poll(() => stateOf(id), { timeout: UI_TIMEOUT_MS }).toBe('unspent');
    expect(await cellOf(id, 'amount')).toBe('1');

    const top = gw.node.chain.height;
    gw.node.chain.reorg(top - height + 1);
    await expect.poll(() => stateOf(id), { timeout: UI_TIMEOUT_MS }).toBe('rolled-back');
    expect(await cellOf(id, 'created')).toBe('rolled back');
    expect(await page.textContent('#watch-notes li.reorg')).toContain(`heights ${height}–${top} rolled back (fork point ${height - 1})`);
  });

  it('resumes from its cursor after a dropped connection: a spend made meanwhile arrives', async () => {
    const { id } = payDemoAddress(2n * MOJOS_PER_XCH);
    await expect.poll(() => stateOf(id), { timeout: UI_TIMEOUT_MS }).toBe('unspent');

    // Every connection dropped, reconnects refused (503) until the spend is on the gateway's chain.
    const { ws } = gw.app.config;
    const maxClients = ws.maxClients;
    ws.maxClients = 0;
    for (const socket of gw.app.websocketServer.clients) socket.terminate();
    await expect.poll(peakStatus, { timeout: UI_TIMEOUT_MS }).toBe('reconnecting');
    const spentAt = spend(id);
    await expect.poll(() => gw.app.upstream.peak()?.height, { timeout: UI_TIMEOUT_MS }).toBe(spentAt);
    expect(await stateOf(id)).toBe('unspent');
    ws.maxClients = maxClients;

    await expect.poll(() => stateOf(id), { timeout: UI_TIMEOUT_MS }).toBe('spent');
    expect(await cellOf(id, 'state')).toBe(`spent at ${spentAt}`);
    await expect.poll(watchStatus, { timeout: UI_TIMEOUT_MS }).toBe('live');
    // Still live after the resume.
    const next = payDemoAddress(MOJOS_PER_XCH);
    await expect.poll(() => stateOf(next.id), { timeout: UI_TIMEOUT_MS }).toBe('unspent');
  });

  it('shows a wrong-network address as a clear error and stops watching', async () => {
    const logged = problems.length;
    await page.fill('#watch-input', toAddress(DEVNET_PUZZLE_HASH, addressPrefix('mainnet')));
    await page.click('#watch-button');
    await expect.poll(watchStatus, { timeout: UI_TIMEOUT_MS }).toBe('error');
    // The browser logs the query's 400 itself; it is this test's expected answer, not a page error.
    expect(problems.splice(logged)).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    expect(await page.isVisible('#watch-error')).toBe(true);
    expect(await page.textContent('#watch-error')).toContain('txch');
    expect(await page.$$('#watch-coins tr')).toEqual([]);

    await page.fill('#watch-input', '  ');
    await page.click('#watch-button');
    expect(await page.textContent('#watch-error')).toBe('Enter an address (xch1…, txch1…) or a 0x puzzle hash');
  });

  it('met no console error, no CSP violation, and no protocol violation at the node', async () => {
    expect(problems).toEqual([]);
    expect(await page.evaluate('window.cspViolations')).toEqual([]);
    expect(gw.node.violations).toEqual([]);
    expect(gw.node.bans).toEqual([]);
  });
});
