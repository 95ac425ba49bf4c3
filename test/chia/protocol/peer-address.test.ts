import { describe, expect, it } from 'vitest';
import { formatPeer, parsePeer } from '../../../src/chia/protocol/peer-address.js';

describe('parsePeer', () => {
  it.each([
    ['node.example.com', { host: 'node.example.com', port: 8444 }],
    ['node.example.com:9000', { host: 'node.example.com', port: 9000 }],
    ['10.1.2.3', { host: '10.1.2.3', port: 8444 }],
    ['10.1.2.3:65535', { host: '10.1.2.3', port: 65535 }],
    ['[2001:db8::1]', { host: '2001:db8::1', port: 8444 }],
    ['[::1]:58444', { host: '::1', port: 58444 }],
    ['  localhost  ', { host: 'localhost', port: 8444 }],
  ])('%s', (input, peer) => {
    expect(parsePeer(input, 8444)).toEqual({ ok: true, peer });
  });

  it.each(['', ':8444', 'host:', '[::1', '[::1]:', 'a..b', 'host:8444:1', 'höst'])('rejects %j', (input) => {
    expect(parsePeer(input, 8444).ok).toBe(false);
  });
});

describe('formatPeer', () => {
  it('brackets IPv6 hosts only', () => {
    expect(formatPeer({ host: '::1', port: 8444 })).toBe('[::1]:8444');
    expect(formatPeer({ host: '10.0.0.1', port: 8444 })).toBe('10.0.0.1:8444');
    expect(formatPeer({ host: 'node', port: 1 })).toBe('node:1');
  });
});
