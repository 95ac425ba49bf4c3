/**
 * Coins by id, puzzle hash, address and hint (/v1/coins…), their children and spends, transactions
 * (/v1/transactions) and fee estimates (/v1/fees): records like the node RPC's, with the coin id and
 * address beside them, and the block every answer was read at.
 */
import { Type } from '@sinclair/typebox';
import { Coin } from './block.js';
import { BigUint, G2, Hex32, HexBytes, U32, ref } from './common.js';

const Big = ref(BigUint);
const PuzzleHashOrAddress = Type.String({
  maxLength: 100,
  description: 'A puzzle hash (32 bytes of hex, 0x optional) or a bech32m address of the gateway\'s network (xch1… on mainnet, txch1… elsewhere)',
});
const CoinIdText = Type.String({ maxLength: 66, description: 'A coin id: 32 bytes of hex, 0x optional' });

export const CoinIdParams = Type.Object({ coin_id: CoinIdText });

export const ReadPoint = Type.Object(
  { height: U32, header_hash: Hex32 },
  { $id: 'ReadPoint', title: 'ReadPoint', description: 'The block (height and header hash) of the chain the answer was read at' },
);

export const CoinRecord = Type.Object(
  {
    coin_id: Hex32,
    address: Type.String({ description: 'The bech32m address of the puzzle hash, with the gateway network\'s prefix' }),
    coin: ref(Coin),
    coinbase: Type.Boolean({ description: 'A farming or pool reward (its parent is a reward claim id)' }),
    confirmed_block_index: { ...U32, description: 'Height of the block that created the coin' },
    spent: Type.Boolean(),
    spent_block_index: { ...U32, description: 'Height of the block that spent it, 0 while unspent' },
    timestamp: { ...Big, description: 'Unix time (seconds) of the block that created the coin' },
  },
  { $id: 'CoinRecord', title: 'CoinRecord', description: 'A coin record as the node RPC renders it (get_coin_record_by_name), with its id and address' },
);

export const CoinRecordResponse = Type.Object(
  { coin_record: ref(CoinRecord), peak: ref(ReadPoint) },
  { $id: 'CoinRecordResponse', title: 'CoinRecordResponse' },
);

const Keys = (description: string, item = PuzzleHashOrAddress) => Type.Optional(Type.Array(item, { description }));

export const CoinQuery = Type.Object(
  {
    coin_ids: Keys('Coin ids', CoinIdText),
    puzzle_hashes: Keys('Puzzle hashes or addresses'),
    hints: Keys('Hints (or addresses): coins hinted to them; a peer matches a hint as a puzzle hash too'),
    include_spent: Type.Optional(Type.Boolean({ description: 'Include spent coins (default true)' })),
    include_unspent: Type.Optional(Type.Boolean({ description: 'Include unspent coins (default true)' })),
    include_hinted: Type.Optional(
      Type.Boolean({ description: 'Also coins hinted to the puzzle hashes; default true when hints are given, else false' }),
    ),
    min_amount: Type.Optional(Type.Union([Type.String({ pattern: '^[0-9]{1,20}$' }), Type.Integer({ minimum: 0 })], { description: 'Least amount in mojo (u64)' })),
    start_height: Type.Optional({ ...U32, description: 'Least confirmed height (inclusive)' }),
    end_height: Type.Optional({ ...U32, description: 'Confirmed height below this (exclusive), as in the node RPC' }),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The next_cursor of the previous page' })),
  },
  { $id: 'CoinQuery', title: 'CoinQuery', additionalProperties: false },
);

export const CoinQueryResponse = Type.Object(
  {
    coin_records: Type.Array(ref(CoinRecord)),
    next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as cursor for the next page; null on the last' }),
    peak: ref(ReadPoint),
  },
  { $id: 'CoinQueryResponse', title: 'CoinQueryResponse' },
);

export const CoinChildrenResponse = Type.Object(
  { coin_id: Hex32, children: Type.Array(ref(CoinRecord)), peak: ref(ReadPoint) },
  { $id: 'CoinChildrenResponse', title: 'CoinChildrenResponse' },
);

export const CoinSpendResponse = Type.Object(
  {
    coin_id: Hex32,
    coin_solution: Type.Object(
      { coin: ref(Coin), puzzle_reveal: HexBytes, solution: HexBytes },
      { description: 'As the node RPC get_puzzle_and_solution renders it (serialized CLVM as 0x hex)' },
    ),
    spent_block_index: U32,
    peak: ref(ReadPoint),
  },
  { $id: 'CoinSpendResponse', title: 'CoinSpendResponse' },
);

export const SpendBundleJson = Type.Object(
  {
    coin_spends: Type.Array(Type.Object({ coin: ref(Coin), puzzle_reveal: HexBytes, solution: HexBytes })),
    aggregated_signature: G2,
  },
  { $id: 'SpendBundle', title: 'SpendBundle', description: 'A spend bundle as the node RPC renders it' },
);

export const TransactionRequest = Type.Object(
  { spend_bundle: ref(SpendBundleJson) },
  { $id: 'TransactionRequest', title: 'TransactionRequest', description: 'As the node RPC push_tx takes it' },
);

const AckStatus = Type.Union([Type.Literal('SUCCESS'), Type.Literal('PENDING'), Type.Literal('FAILED')]);

export const TransactionResponse = Type.Object(
  {
    txid: Hex32,
    status: Type.Union([Type.Literal('SUCCESS'), Type.Literal('PENDING')], { description: 'SUCCESS when any peer took it into its mempool' }),
    acks: Type.Array(
      Type.Object({
        peer: Type.String(),
        status: AckStatus,
        error: Type.Union([Type.String(), Type.Null()], { description: 'The node\'s Err name when FAILED' }),
      }),
      { description: 'Every peer\'s transaction_ack' },
    ),
  },
  { $id: 'TransactionResponse', title: 'TransactionResponse' },
);

export const FeesQuery = Type.Object({
  target_times: Type.String({
    description: 'Comma-separated seconds from now (at most 5), e.g. 60,300,600',
    examples: ['60,300'],
    maxLength: 100,
  }),
  ints: Type.Optional(Type.Union([Type.Literal('string'), Type.Literal('number')])),
});

export const FeesResponse = Type.Object(
  {
    target_times: Type.Array(Type.Integer({ minimum: 1 }), { description: 'The targets asked, in seconds from now' }),
    current_time: Type.Integer({ description: 'Unix time the targets were added to' }),
    fee_estimates: Type.Object(
      {
        error: Type.Union([Type.String(), Type.Null()]),
        estimates: Type.Array(
          Type.Object({
            error: Type.Union([Type.String(), Type.Null()]),
            time_target: { ...Big, description: 'Unix time' },
            estimated_fee_rate: Type.Object({ mojos_per_clvm_cost: Big }),
          }),
        ),
      },
      { description: 'The node\'s FeeEstimateGroup' },
    ),
  },
  { $id: 'FeesResponse', title: 'FeesResponse' },
);

export const COIN_SCHEMAS = [
  ReadPoint,
  CoinRecord,
  CoinRecordResponse,
  CoinQuery,
  CoinQueryResponse,
  CoinChildrenResponse,
  CoinSpendResponse,
  SpendBundleJson,
  TransactionRequest,
  TransactionResponse,
  FeesResponse,
];
