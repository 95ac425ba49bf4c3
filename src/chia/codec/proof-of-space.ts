/**
 * ProofOfSpace, current layout (PROTOCOL.md §f.5). A prefix byte after pool_public_key carries the
 * proof version (bit 1+) and whether pool_contract_puzzle_hash is present (bit 0). Version 0 (v1
 * plots) then has `size`; version 1 (v2 plots) has plot_index u16, meta_group u8, strength u8.
 */
import { bytes, bytes32, g1 } from './bytes.js';
import type { ValueOf } from './codec.js';
import { optional } from './combinators.js';
import { CodecError, withPath } from './errors.js';
import { u16, u8 } from './primitives.js';
import { struct } from './struct.js';

const MAX_POS_VERSION = 1;
const CONTRACT_PRESENT = 1;
const ONE_POOL_IDENTITY = 'a version-1 ProofOfSpace needs exactly one of pool_public_key and pool_contract_puzzle_hash';

const optG1 = optional(g1);

export const ProofOfSpace = struct(
  'ProofOfSpace',
  {
    challenge: bytes32,
    pool_public_key: optG1,
    pool_contract_puzzle_hash: optional(bytes32),
    plot_public_key: g1,
    version: u8,
    plot_index: u16,
    meta_group: u8,
    strength: u8,
    size: u8,
    proof: bytes,
  },
  {
    // JSON of nodes before 2.6.1 lacks the v2-plot keys.
    jsonDefaults: { version: 0, plot_index: 0, meta_group: 0, strength: 0, size: 0 },
    wire: [
      'challenge',
      'pool_public_key',
      {
        label: 'version',
        minSize: 1,
        read(r, o) {
          const at = r.pos;
          const p = r.u8();
          const version = p >> 1;
          if (version > MAX_POS_VERSION) throw r.fail(`unsupported ProofOfSpace version ${version}`, at);
          o.version = version;
          o.pool_contract_puzzle_hash = p & CONTRACT_PRESENT ? bytes32.read(r) : null;
        },
        write(w, o) {
          const version = o.version;
          if (version !== 0 && version !== 1) throw new CodecError(`unsupported ProofOfSpace version ${String(version)}`);
          const hash = o.pool_contract_puzzle_hash;
          const has = hash !== null && hash !== undefined;
          w.u8((version << 1) | (has ? CONTRACT_PRESENT : 0));
          if (has) bytes32.write(w, hash as Uint8Array);
        },
      },
      'plot_public_key',
      {
        // Names its own fields: `size` for v1 plots, plot_index/meta_group/strength for v2 plots.
        label: '',
        minSize: 1,
        read(r, o) {
          if (o.version === 0) {
            o.size = withPath('.size', () => r.u8());
            o.plot_index = 0;
            o.meta_group = 0;
            o.strength = 0;
            return;
          }
          // v2 proofs need exactly one pool identity (chia_rs proof_of_space.rs).
          if ((o.pool_public_key === null) === (o.pool_contract_puzzle_hash === null)) {
            throw r.fail(ONE_POOL_IDENTITY).prefix('.pool_contract_puzzle_hash');
          }
          o.size = 0;
          o.plot_index = withPath('.plot_index', () => r.u16());
          o.meta_group = withPath('.meta_group', () => r.u8());
          o.strength = withPath('.strength', () => r.u8());
        },
        write(w, o) {
          if (o.version === 0) {
            if (o.plot_index !== 0 || o.meta_group !== 0 || o.strength !== 0) {
              throw new CodecError('a version-0 ProofOfSpace must have plot_index, meta_group and strength 0').prefix('.plot_index');
            }
            withPath('.size', () => u8.write(w, o.size as number));
            return;
          }
          if (o.size !== 0) throw new CodecError('a version-1 ProofOfSpace must have size 0').prefix('.size');
          const noPk = o.pool_public_key === null || o.pool_public_key === undefined;
          const noHash = o.pool_contract_puzzle_hash === null || o.pool_contract_puzzle_hash === undefined;
          if (noPk === noHash) throw new CodecError(ONE_POOL_IDENTITY).prefix('.pool_contract_puzzle_hash');
          withPath('.plot_index', () => u16.write(w, o.plot_index as number));
          withPath('.meta_group', () => u8.write(w, o.meta_group as number));
          withPath('.strength', () => u8.write(w, o.strength as number));
        },
      },
      'proof',
    ],
  },
);
export type ProofOfSpace = ValueOf<typeof ProofOfSpace>;
