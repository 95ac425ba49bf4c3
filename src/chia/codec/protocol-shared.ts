/** Shared messages (PROTOCOL.md §e.1) and the wallet/peer value types used by several protocols. */
import { Coin } from './block-components.js';
import { g2, pyBytes, str } from './bytes.js';
import { program } from './clvm-length.js';
import type { ValueOf } from './codec.js';
import { list, optional, tuple } from './combinators.js';
import { i16, u16, u32, u64, u8 } from './primitives.js';
import { struct } from './struct.js';

export const Handshake = struct('Handshake', {
  network_id: str,
  protocol_version: str,
  software_version: str,
  server_port: u16,
  node_type: u8,
  capabilities: list(tuple(u16, str)),
});
export type Handshake = ValueOf<typeof Handshake>;

/** Error.data is a Python-defined bytes field: empty renders "0x" (§g.1). */
export const ErrorMessage = struct('Error', { code: i16, message: str, data: optional(pyBytes) });
export type ErrorMessage = ValueOf<typeof ErrorMessage>;

/** Empty payload of none_response (91). */
export const NoneResponse = struct('NoneResponse', {});

/** configure_window_sizes (111): (message type, window size) pairs (§c.5). */
export const ConfigureWindowSizes = struct('ConfigureWindowSizes', { settings: list(tuple(u8, u16)) });

export const CoinState = struct('CoinState', {
  coin: Coin,
  spent_height: optional(u32),
  created_height: optional(u32),
});
export type CoinState = ValueOf<typeof CoinState>;

export const CoinSpend = struct('CoinSpend', { coin: Coin, puzzle_reveal: program, solution: program });

export const SpendBundle = struct('SpendBundle', { coin_spends: list(CoinSpend), aggregated_signature: g2 });
export type SpendBundle = ValueOf<typeof SpendBundle>;

export const TimestampedPeerInfo = struct('TimestampedPeerInfo', { host: str, port: u16, timestamp: u64 });
export type TimestampedPeerInfo = ValueOf<typeof TimestampedPeerInfo>;

export const RequestPeersIntroducer = struct('RequestPeersIntroducer', {});
export const RespondPeersIntroducer = struct('RespondPeersIntroducer', { peer_list: list(TimestampedPeerInfo) });
