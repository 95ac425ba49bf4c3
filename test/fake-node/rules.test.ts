import { describe, expect, it } from 'vitest';
import { NodeType } from '../../src/chia/protocol/message-rules.js';
import { BanList } from '../../fake-node/bans.js';
import { checkHandshake, handshakeReply } from '../../fake-node/handshake-rules.js';
import { InboundLimiter } from '../../fake-node/inbound-limiter.js';

const WINDOW = 60_000;

describe('InboundLimiter (PROTOCOL.md §h.1)', () => {
  it('allows `frequency` messages per fixed bucket and refuses the next one', () => {
    let now = 5 * WINDOW;
    const limiter = new InboundLimiter(WINDOW, undefined, () => now);
    for (let i = 0; i < 10; i++) expect(limiter.check('request_peers', 0)).toBeNull();
    expect(limiter.check('request_peers', 0)).toMatch(/count 11 > 10/);
    now += WINDOW; // a new bucket resets every counter
    expect(limiter.check('request_peers', 0)).toBeNull();
  });

  it('uses fixed buckets, so a burst straddling a boundary may reach twice the rate', () => {
    let now = 6 * WINDOW - 1;
    const limiter = new InboundLimiter(WINDOW, undefined, () => now);
    for (let i = 0; i < 10; i++) expect(limiter.check('request_peers', 0)).toBeNull();
    now += 2;
    for (let i = 0; i < 10; i++) expect(limiter.check('request_peers', 0)).toBeNull();
  });

  it('checks max_size per message and max_total per bucket', () => {
    const limiter = new InboundLimiter(WINDOW, undefined, () => 0);
    expect(limiter.check('request_block', 101)).toMatch(/max_size 100/);
    const totals = new InboundLimiter(WINDOW, undefined, () => 0);
    // request_removals: 50 KiB each, 10 MiB total per window.
    for (let i = 0; i < 204; i++) expect(totals.check('request_removals', 50 * 1024)).toBeNull();
    expect(totals.check('request_removals', 50 * 1024)).toMatch(/total/);
  });

  it('gives unlimited types (responses) only a size cap, outside the aggregate', () => {
    const limiter = new InboundLimiter(WINDOW, undefined, () => 0);
    for (let i = 0; i < 2_000; i++) expect(limiter.check('reject_block', 8)).toBeNull();
    expect(limiter.check('reject_block', 101)).toMatch(/max_size/);
  });

  it('counts aggregate types together: 1000 per bucket', () => {
    const limiter = new InboundLimiter(WINDOW, undefined, () => 0);
    for (let i = 0; i < 500; i++) expect(limiter.check('request_blocks', 9)).toBeNull();
    for (let i = 0; i < 500; i++) expect(limiter.check('request_header_blocks', 8)).toBeNull();
    expect(limiter.check('request_coin_state', 40)).toMatch(/aggregate count/);
    // Non-aggregate types are unaffected.
    expect(limiter.check('request_block_headers', 9)).toBeNull();
  });
});

describe('handshake rules (§c.2)', () => {
  const hs = { network_id: 'mainnet', protocol_version: '0.0.38', software_version: '2.7.3', server_port: 0, node_type: NodeType.WALLET, capabilities: [] };

  it('checks network, node type, software_version and protocol_version, in that order', () => {
    expect(checkHandshake(hs, 'mainnet')).toBeNull();
    expect(checkHandshake({ ...hs, network_id: 'x', node_type: 0 }, 'mainnet')?.reason).toBe('110');
    expect(checkHandshake({ ...hs, node_type: 0, software_version: 'v'.repeat(200) }, 'mainnet')?.reason).toBe('1');
    expect(checkHandshake({ ...hs, software_version: 'é'.repeat(65), protocol_version: 'junk' }, 'mainnet')?.reason).toBe('-6');
    expect(checkHandshake({ ...hs, protocol_version: 'junk' }, 'mainnet')?.reason).toBe('1');
    expect(checkHandshake({ ...hs, protocol_version: '2.7.3rc2.dev134+gd61ed07' }, 'mainnet')).toBeNull();
  });

  it('echoes the protocol version of the peer type (§c.3)', () => {
    expect(handshakeReply(NodeType.WALLET, 'mainnet', 1).protocol_version).toBe('0.0.38');
    expect(handshakeReply(NodeType.FULL_NODE, 'mainnet', 1).protocol_version).toBe('0.0.36');
  });
});

describe('BanList', () => {
  it('scales ban lengths and forgets expired bans', () => {
    const bans = new BanList(0.001);
    const record = bans.ban('10.0.0.1', 10, 'test');
    expect(record.until - record.at).toBe(10);
    expect(bans.isBanned('10.0.0.1')).toBe(true);
    expect(bans.isBanned('10.0.0.2')).toBe(false);
    bans.unban();
    expect(bans.isBanned('10.0.0.1')).toBe(false);
    expect(bans.records).toHaveLength(1);
  });
});
