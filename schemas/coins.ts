/** The coins a block created and spent (GET /v1/blocks/{height}/additions and /removals). */
import { Type } from '@sinclair/typebox';
import { Coin } from './block.js';
import { Hex32, U32, ref } from './common.js';

export const CoinWithId = Type.Object(
  { coin_id: Hex32, coin: ref(Coin) },
  { $id: 'CoinWithId', title: 'CoinWithId', description: 'A coin and its id (sha256(parent ‖ puzzle hash ‖ amount))' },
);

const coinList = (id: string, field: 'additions' | 'removals', what: string) =>
  Type.Object(
    {
      height: U32,
      header_hash: { ...Hex32, description: 'The block the coins belong to' },
      [field]: Type.Array(ref(CoinWithId), { description: what }),
    },
    { $id: id, title: id },
  );

export const AdditionsResponse = coinList(
  'Additions',
  'additions',
  'Coins created by the block (rewards and transaction outputs); empty for a non-transaction block',
);
export const RemovalsResponse = coinList(
  'Removals',
  'removals',
  'Coins spent by the block; empty for a non-transaction block',
);
