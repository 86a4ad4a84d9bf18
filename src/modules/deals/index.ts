/**
 * Safe deals: the buyer pays through Kopek's checkout, the money waits in the platform's escrow account,
 * and goes to the shop when the buyer confirms receipt or the deadline passes, or back to the buyer when
 * the merchant cancels or an operator decides a dispute for the buyer. Owns the `deals` table, the
 * buyer's page at /deal/<secret>, the cabinet's, back-office's and JSON API's deal routes, and the
 * `deals.settle-released` queue. payments.markPaymentPaid calls fundDealEscrow for escrow payments.
 */
export { registerDealApiRoutes } from './deal-api.routes.js';
export { fundDealEscrow } from './deal-buyer.service.js';
export { createDealSettlementHandler } from './deal.jobs.js';
export { registerDealPageRoutes } from './deal-page.routes.js';
export { registerDealBackofficeRoutes, registerDealRoutes } from './deal.routes.js';
export { DEAL_RELEASE_INTERVAL_MS, releaseDueDeals } from './deal.service.js';
export { DEAL_SETTLEMENT_QUEUE } from './deal.transitions.js';
