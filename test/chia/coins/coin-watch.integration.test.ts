/**
 * The coin watch through real links (mutual TLS, WebSocket) to two scripted wallet peers: a key is
 * registered once, its pushed change leaves after the peak of its block, a lost link's key moves to the
 * other peer and catches up from the block last delivered, and a released key is removed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromHex, type CoinState, type CoinUpdate, type PeakChange } from '../../../src/chia/index.js';
import type { UpstreamManager } from '../../../src/chia/pool/upstream-manager.js';
import { eventually } from '../../support/eventually.js';
import { makeManager } from '../../support/upstream-harness.js';
import { scriptedHash as hash, ScriptedPeer } from '../../support/scripted-peer.js';

const PUZZLE = hash(0xabc);
const LINGER_MS = 100;

function coinAt(height: number): CoinState {
  return { coin: { parent_coin_info: fromHex(hash(height + 0x5000)), puzzle_hash: fromHex(PUZZLE), amount: 1_000n }, created_height: height, spent_height: null };
}

describe('coin watch over real wallet links', () => {
  let peers: ScriptedPeer[];
  let manager: UpstreamManager;
  let events: (['peak', number] | ['coins', number, string])[];

  beforeEach(async () => {
    peers = await Promise.all([ScriptedPeer.start({ height: 100 }), ScriptedPeer.start({ height: 100 })]);
    manager = makeManager({ nodes: peers, roles: ['wallet'], extra: { coinWatch: { lingerMs: LINGER_MS } } });
    events = [];
    manager.on('peak', (c: PeakChange) => events.push(['peak', c.peak.height]));
    manager.on('coins', (u: CoinUpdate) => events.push(['coins', u.height, u.peer]));
    await manager.start();
    await eventually('both wallet links ready at peak 100', () => manager.status().links.every((l) => l.state === 'ready' && l.peak?.height === 100));
    events.length = 0;
  });

  afterEach(async () => {
    await manager.close();
    await Promise.all(peers.map((p) => p.close()));
  });

  it('registers once, orders a pushed change after its peak, moves and catches up on link loss, removes after release', async () => {
    const release = manager.watch({ puzzle_hashes: [PUZZLE] });
    const holder = await eventually('a registration', () => peers.find((p) => p.received('register_for_ph_updates').length > 0));
    const other = peers.find((p) => p !== holder)!;
    expect(holder.received('register_for_ph_updates')).toEqual([{ puzzle_hashes: [fromHex(PUZZLE)], min_height: 101 }]);
    expect(other.received('register_for_ph_updates')).toEqual([]);

    // Block 101: the node pushes the change, then the peak (PROTOCOL.md §c.7, full_node.py).
    holder.push('coin_state_update', { height: 101, fork_height: 100, peak_hash: fromHex(hash(101)), items: [coinAt(101)] });
    holder.announce(101);
    other.announce(101);
    const holderAddress = `127.0.0.1:${holder.port}`;
    await eventually('the coin event of 101', () => events.some((e) => e[0] === 'coins'));
    expect(events).toEqual([
      ['peak', 101],
      ['coins', 101, holderAddress],
    ]);

    // The holder goes away; block 102 changes the coin set while the key has no link.
    other.script = ({ name, payload }) =>
      name === 'request_puzzle_state' && payload.previous_height === 101
        ? { name: 'respond_puzzle_state', payload: { puzzle_hashes: payload.puzzle_hashes, height: 102, header_hash: fromHex(hash(102)), is_finished: true, coin_states: [coinAt(102)] } }
        : undefined;
    await holder.close();
    other.announce(102);
    const otherAddress = `127.0.0.1:${other.port}`;
    await eventually('the caught-up coin event of 102', () => events.some((e) => e[0] === 'coins' && e[1] === 102));
    const [catchUp] = other.received('request_puzzle_state');
    expect(catchUp).toMatchObject({ puzzle_hashes: [fromHex(PUZZLE)], previous_height: 101, header_hash: fromHex(hash(101)), subscribe_when_finished: true });
    expect(events.slice(2)).toEqual([
      ['peak', 102],
      ['coins', 102, otherAddress],
    ]);
    expect(manager.coinWatchStatus()).toMatchObject({ puzzle_hashes: 1, pending: 0, links: [{ peer: otherAddress, puzzle_hashes: 1 }] });

    release();
    await eventually('the subscription removed', () => other.received('request_remove_puzzle_subscriptions').length > 0);
    expect(other.received('request_remove_puzzle_subscriptions')).toEqual([{ puzzle_hashes: [fromHex(PUZZLE)] }]);
    expect(manager.coinWatchStatus()).toMatchObject({ puzzle_hashes: 0, messages: { register_for_ph_updates: 1, request_puzzle_state: 1, request_remove_puzzle_subscriptions: 1 } });
  });
});
