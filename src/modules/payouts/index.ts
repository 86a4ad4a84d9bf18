/**
 * Payouts: the account's bank details (validated BIK, accounts, INN, KPP), payouts of a shop's available
 * money to them through a PayoutProvider (the SandboxBank ships with Kopek), on demand or on the shop's
 * schedule (daily or weekly, Moscow time), with a minimum per installation and per shop, and
 * reconciliation of payouts whose sending failed. Payouts above KOPEK_PAYOUT_APPROVAL_THRESHOLD wait for the
 * operator's finance, who approve or reject them, export them as 1C client-bank payment orders and record
 * their execution or return (payout-queue.service.ts). Money moves only through the ledger:
 * `payout:<id>:created|executed|returned|failed|rejected`. No commission is taken on payouts.
 */
export { registerPayoutRoutes } from './payout.routes.js';
export { registerPayoutQueueRoutes } from './payout-queue.routes.js';
export {
  approvePayout,
  exportPayouts,
  listPayoutQueue,
  recordBankExecution,
  recordBankReturn,
  rejectPayout,
  type OperatorBankAccount,
} from './payout-queue.service.js';
export {
  encodeClientBankExchange,
  formatClientBankExchange,
  type ClientBankFile,
  type ClientBankParty,
  type ClientBankPaymentOrder,
} from './client-bank-export.js';
export {
  bankDetailsProblems,
  hasValidAccountKey,
  isBik,
  isCorrespondentAccountOfBik,
  isInn,
  isKpp,
  isSettlementAccountOfBik,
  maskAccount,
  validateBankDetails,
  type BankDetails,
  type BankDetailsInput,
} from './bank-details.validation.js';
export {
  checkSentPayouts,
  createPayoutSendHandler,
  NEVER_RECEIVED_REASON,
  PAYOUT_RECONCILE_AFTER_MS,
  PAYOUT_RECONCILE_INTERVAL_MS,
  PAYOUT_SEND_LEASE_MS,
  PAYOUT_STATUS_INTERVAL_MS,
  reconcileStuckPayouts,
  recordPayoutOutcome,
} from './payout.jobs.js';
export {
  type PayoutLookupAnswer,
  type PayoutOrder,
  type PayoutProvider,
  type PayoutSendResult,
  type PayoutStatusAnswer,
} from './payout.provider.js';
export {
  SANDBOX_LOST_ANSWER_KOPECKS,
  SANDBOX_REJECTED_KOPECKS,
  SANDBOX_RETURNED_KOPECKS,
  SANDBOX_UNREACHABLE_KOPECKS,
  SandboxBank,
} from './sandbox-bank.js';
export {
  createPayout,
  DEFAULT_PAYOUT_PAGE_SIZE,
  effectiveMinimumMinor,
  findPayout,
  listPayouts,
  MAX_PAYOUT_PAGE_SIZE,
  toPayoutView,
  type PayoutView,
  PAYOUT_SEND_MAX_ATTEMPTS,
  PAYOUT_SEND_QUEUE,
  payoutTransferKey,
} from './payout.service.js';
export {
  isoWeekOf,
  latestSlotAtOrBefore,
  nextSlotAfter,
  parseTimeOfDay,
  type PayoutSchedule,
} from './payout-schedule.calendar.js';
export {
  PAYOUT_SCHEDULE_INTERVAL_MS,
  runDuePayoutSchedules,
  runShopSchedule,
  type ScheduleRunSummary,
} from './payout-schedule.jobs.js';
