/**
 * A node acks send_transaction FAILED both for a bundle that is invalid and for one it cannot take now
 * (PROTOCOL.md §e.5 send_transaction). These reasons are of the second kind: the same bundle may
 * succeed later, or elsewhere (chia-blockchain full_node.add_transaction, mempool_manager).
 */
const NOT_NOW_REASONS: ReadonlySet<string> = new Set([
  // The node is syncing: it takes no transaction until it has caught up.
  'NO_TRANSACTIONS_WHILE_SYNCING',
  // The mempool has no peak yet (a node just started).
  'MEMPOOL_NOT_INITIALIZED',
  // The mempool is full (only then): the fee rate is too low to evict anything, or too close to zero.
  'INVALID_FEE_LOW_FEE',
  'INVALID_FEE_TOO_CLOSE_TO_ZERO',
  // The node's validation queue is full (a text, not an Err name).
  'Transaction queue full',
]);

/** True when a FAILED ack's reason means "not now" rather than "invalid bundle". */
export function isNotNowRefusal(reason: string | null): boolean {
  return reason !== null && NOT_NOW_REASONS.has(reason);
}
