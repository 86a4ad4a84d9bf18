/**
 * Payouts: the account's bank details (validated BIK, accounts, INN, KPP) and payouts of a shop's
 * available money to them through a PayoutProvider (the SandboxBank ships with Kopek). Money moves only
 * through the ledger: `payout:<id>:created|executed|returned`. No commission is taken on payouts.
 */
export { registerPayoutRoutes } from './payout.routes.js';
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
  PAYOUT_STATUS_INTERVAL_MS,
  recordPayoutOutcome,
} from './payout.jobs.js';
export {
  SandboxBank,
  SANDBOX_REJECTED_KOPECKS,
  SANDBOX_RETURNED_KOPECKS,
  type PayoutOrder,
  type PayoutProvider,
  type PayoutSendResult,
  type PayoutStatusAnswer,
} from './payout.provider.js';
export {
  createPayout,
  PAYOUT_MINIMUM_MINOR,
  PAYOUT_SEND_QUEUE,
  payoutTransferKey,
} from './payout.service.js';
