/**
 * Ledger: double-entry, append-only bookkeeping of every movement of money. Accounts per shop (pending,
 * available, on hold, in payout) and per platform (acquirer clearing, fee revenue, refunds, escrow);
 * balanced, idempotent transfers; balances derived from entries (from a periodic checkpoint on). Imports no other domain module.
 */
export {
  assertBalanced,
  LedgerInvariantError,
  platformAccount,
  postTransfer,
  readShopBalances,
  shopAccount,
  sumOfAccount,
  type LedgerAccountRef,
  type NewTransfer,
  type ShopBalances,
  type TransferLeg,
} from './ledger.service.js';
export {
  LEDGER_CHECKPOINT_INTERVAL_MS,
  runLedgerCheckpoint,
  type CheckpointRun,
} from './ledger.checkpoints.js';
