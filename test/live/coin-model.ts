/**
 * A live client's view of its coins, built only from what the gateway sent (the way a wallet page
 * would): `coins` events set states, a `reorg` drops every state above its fork point. It counts
 * states received twice with no reorg announced in between (duplicates), and keeps the last cursor.
 */
import type { CoinState } from '../../src/chia/index.js';
import { toHex } from '../../src/chia/index.js';

interface Held {
  created: number | null;
  spent: number | null;
  /** Reorgs announced before this state arrived. */
  epoch: number;
}

export class CoinModel {
  readonly coins = new Map<string, Held>();
  cursor: string | null = null;
  duplicates: string[] = [];
  reorgs = 0;

  /** Applies one message the client received. */
  apply(message: { type: string; [key: string]: unknown }): void {
    if (message.type === 'reorg') {
      const fork = (message.data as { fork_point: number }).fork_point;
      this.reorgs++;
      for (const [id, held] of this.coins) {
        if (held.created !== null && held.created > fork) this.coins.delete(id);
        else if (held.spent !== null && held.spent > fork) held.spent = null;
      }
    } else if (message.type === 'coins') {
      this.cursor = message.cursor as string;
      const data = message.data as { coins: { coin_id: string; confirmed_block_index: number | null; spent_block_index: number | null }[] };
      for (const record of data.coins) {
        const old = this.coins.get(record.coin_id);
        if (old !== undefined && old.epoch === this.reorgs && old.created === record.confirmed_block_index && old.spent === record.spent_block_index) {
          this.duplicates.push(`${record.coin_id} ${record.confirmed_block_index} ${record.spent_block_index}`);
        }
        if (record.confirmed_block_index === null) this.coins.delete(record.coin_id);
        else this.coins.set(record.coin_id, { created: record.confirmed_block_index, spent: record.spent_block_index, epoch: this.reorgs });
      }
    } else if (message.type === 'subscribed' && typeof message.cursor === 'string') {
      this.cursor = message.cursor;
    }
  }

  /** `id created spent` lines, sorted, to compare with the chain. */
  lines(): string[] {
    return [...this.coins].map(([id, h]) => `${id} ${h.created} ${h.spent}`).sort();
  }
}

/** The same lines for the chain's states. */
export function chainLines(states: Map<string, CoinState>): string[] {
  return [...states].map(([id, s]) => `${id} ${s.created_height} ${s.spent_height}`).sort();
}

/** A deterministic puzzle hash for a name. */
export function ph(n: number): string {
  return `0x${n.toString(16).padStart(64, '0')}`;
}

export { toHex };
