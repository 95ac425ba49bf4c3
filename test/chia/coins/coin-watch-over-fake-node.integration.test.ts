/**
 * The coin watch against the strict fake full node over real TLS (two nodes, one wallet link each):
 * one registration per key, a coin's creation, spend and rollback arriving after the peak of their
 * block, hints delivered to the hinted puzzle hash, and a lost link's keys caught up on the other node
 * with nothing missed; no violation, no ban.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { coinId, sha256, toHex } from '../../../src/chia/codec/index.js';
import type { UpstreamManager } from '../../../src/chia/pool/upstream-manager.js';
import type { CoinUpdate } from '../../../src/chia/upstream-api.js';
import type { FakeNode } from '../../../fake-node/index.js';
import { eventually } from '../../support/eventually.js';
import { makeManager, startNode } from '../../support/upstream-harness.js';

const hashOf = (label: string) => sha256(Buffer.from(label));

let nodes: FakeNode[] = [];
let manager: UpstreamManager | undefined;

afterEach(async () => {
  await manager?.close();
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
  manager = undefined;
});

/** What the watcher saw, in order: peaks (by height) and coin updates. */
type Seen = { kind: 'peak'; height: number } | { kind: 'coins'; update: CoinUpdate };

async function start(count: number): Promise<{ manager: UpstreamManager; seen: Seen[] }> {
  nodes = await Promise.all(Array.from({ length: count }, () => startNode({ chainLength: 40 })));
  manager = makeManager({ nodes, roles: ['wallet'], extra: { coinWatch: { flushMs: 5, lingerMs: 50 } } });
  const seen: Seen[] = [];
  manager.on('peak', (change) => seen.push({ kind: 'peak', height: change.peak.height }));
  manager.on('coins', (update) => seen.push({ kind: 'coins', update }));
  await manager.start();
  await eventually('every wallet link ready', () => manager!.status().links.every((l) => l.state === 'ready' && l.peak !== null));
  return { manager, seen };
}

/** Every node makes the same next transaction block (their chains stay equal). */
function everyNode<T>(step: (n: FakeNode) => T): T[] {
  return nodes.map(step);
}

const statesOf = (seen: Seen[], id: string) =>
  seen.flatMap((s) => (s.kind === 'coins' ? s.update.coin_states.filter((c) => toHex(coinId(c.coin)) === id) : []));

describe('coin watch against the fake node', () => {
  it('delivers creation, spend and rollback after their peak, hints included, with one registration', async () => {
    const { manager, seen } = await start(1);
    const owner = hashOf('owner');
    const hint = hashOf('hint');
    manager.watch({ puzzle_hashes: [toHex(hint)] });
    await eventually('registered', () => manager.coinWatchStatus().links.some((l) => l.puzzle_hashes === 1));
    const node = nodes[0]!;
    const coin = node.chain.addCoin({ puzzle_hash: owner, amount: 5n, hint });
    const id = toHex(coinId(coin));
    const created = node.chain.addTransactionBlock().height;
    await eventually('creation delivered', () => statesOf(seen, id).some((s) => s.created_height === created));
    // The node pushed it for its hint without saying so; the one key on the link is that hint.
    const creation = seen.find((s) => s.kind === 'coins' && s.update.coin_states.some((c) => toHex(coinId(c.coin)) === id));
    expect(creation?.kind === 'coins' && creation.update.hints.get(id)).toBe(toHex(hint));
    const firstCoins = seen.findIndex((s) => s.kind === 'coins');
    expect(seen.slice(0, firstCoins).some((s) => s.kind === 'peak' && s.height === created)).toBe(true);

    node.chain.spendCoin(coinId(coin));
    const spent = node.chain.addTransactionBlock().height;
    await eventually('spend delivered', () => statesOf(seen, id).some((s) => s.spent_height === spent));

    node.chain.reorg(node.chain.height - created + 1);
    await eventually('rollback delivered', () =>
      seen.some((s) => s.kind === 'coins' && s.update.fork_height !== null && s.update.coin_states.some((c) => toHex(coinId(c.coin)) === id)),
    );
    expect(manager.coinWatchStatus().messages['register_for_ph_updates']).toBe(1);
    expect(node.violations).toEqual([]);
    expect(node.bans).toEqual([]);
  });

  it('moves a lost link\'s keys to the other node and catches up what changed meanwhile', async () => {
    const { manager, seen } = await start(2);
    const owner = hashOf('owner');
    manager.watch({ puzzle_hashes: [toHex(owner)] });
    await eventually('registered', () => manager.coinWatchStatus().links.some((l) => l.puzzle_hashes === 1));
    const holder = manager.coinWatchStatus().links.find((l) => l.puzzle_hashes === 1)!.peer;
    const [lost, kept] = nodes[0]!.port === Number(holder.split(':')[1]) ? [nodes[0]!, nodes[1]!] : [nodes[1]!, nodes[0]!];

    await lost.close();
    const [coin] = everyNode((n) => n.chain.addCoin({ puzzle_hash: owner, amount: 7n }));
    everyNode((n) => n.chain.addTransactionBlock());
    const id = toHex(coinId(coin!));
    await eventually('the coin created while the link was down is delivered', () => statesOf(seen, id).length > 0);
    expect(manager.coinWatchStatus().links.find((l) => l.puzzle_hashes === 1)?.peer).toBe(`127.0.0.1:${kept.port}`);
    expect(kept.violations).toEqual([]);
    expect(kept.bans).toEqual([]);
  });
});
