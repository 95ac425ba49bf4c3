import { describe, expect, it } from 'vitest';
import { NodeType } from '../../src/chia/protocol/message-rules.js';
import type { RawClient } from '../../fake-node/raw-client.js';
import { NODE_WINDOWS } from '../../fake-node/v3-windows.js';
import { fakeNodeScope } from './node-scope.js';

const V3_CAPS: [number, string][] = [
  [1, '1'],
  [2, '1'],
  [3, '1'],
  [7, '1'],
];

const scope = fakeNodeScope({ chainLength: 40 });
const { connect } = scope;

async function v3Client(): Promise<RawClient> {
  const c = await connect();
  const hs = await c.handshake(NodeType.WALLET, 'mainnet', V3_CAPS);
  expect(hs.capabilities).toContainEqual([7, '1']);
  const { value } = await c.nextNamed<{ settings: [number, number][] }>('configure_window_sizes');
  expect(value.settings).toEqual(NODE_WINDOWS);
  return c;
}

describe('fake node: RATE_LIMITS_V3 (PROTOCOL.md §c.5, §h.3)', () => {
  it('does not offer 7 to a peer that did not', async () => {
    const c = await connect();
    expect((await c.handshake(NodeType.WALLET)).capabilities).not.toContainEqual([7, '1']);
  });

  it('answers 7 with 7 and its window table, and accepts the peer after its configure_window_sizes', async () => {
    const c = await v3Client();
    c.send('configure_window_sizes', { settings: [...NODE_WINDOWS] }, null);
    await c.nextNamed('new_peak_wallet');
    c.send('request_block_header', { height: 3 }, 1);
    expect((await c.next((m) => m.id === 1)).name).toBe('respond_block_header');
  });

  it('closes 1002 "-6" when the message after the handshake is not configure_window_sizes', async () => {
    const c = await v3Client();
    c.send('request_block_header', { height: 3 }, 1);
    expect(await c.closed).toEqual({ code: 1002, reason: '-6' });
  });

  it('closes 1002 "-6" on an empty list or a window for an unlimited type', async () => {
    for (const settings of [[], [[52, 2]]] satisfies [number, number][][]) {
      const c = await v3Client();
      c.send('configure_window_sizes', { settings }, null);
      expect(await c.closed).toEqual({ code: 1002, reason: '-6' });
      scope.node.unban();
    }
  });

  it('lets v3 types skip the v2 limiter (600 request_block_header, limit 500 per window)', async () => {
    const c = await v3Client();
    const before = scope.node.violations.length;
    c.send('configure_window_sizes', { settings: [...NODE_WINDOWS] }, null);
    for (let i = 0; i < 600; i++) c.send('request_block_header', { height: 1 }, i);
    await c.next((m) => m.id === 599, 20_000);
    expect(scope.node.violations.length).toBe(before);
  });

  it('closes 1000 "" and bans 300 s when a third request of one type arrives while two are processing', async () => {
    const c = await v3Client();
    c.send('configure_window_sizes', { settings: [...NODE_WINDOWS] }, null);
    await c.nextNamed('new_peak_wallet');
    scope.node.faults.set('request_block_header', { kind: 'slow', ms: 2_000 });
    for (let i = 1; i <= 3; i++) c.send('request_block_header', { height: i }, i);
    expect(await c.closed).toEqual({ code: 1000, reason: '' });
    expect(scope.node.violations.at(-1)).toMatchObject({ kind: 'rate_limit', banSeconds: 300, detail: expect.stringMatching(/v3 window/) });
  });
});
