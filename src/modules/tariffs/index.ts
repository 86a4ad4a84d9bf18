/**
 * Tariffs: the platform's fee per payment-method group, default and per shop, each a schedule of changes
 * by start moment (the history is kept), the notice of changes to merchants, and the one rounding rule;
 * promo codes (fee discounts granted at registration) are administered here too.
 */
export { computeBuyerCharge, netOfGross, type BuyerCharge } from './buyer-fee.js';
export { computeFee, findTariff, NO_FEE, type Tariff } from './tariff.service.js';
export { registerTariffAdminRoutes, registerTariffCabinetRoutes } from './tariff-admin.routes.js';
export {
  cancelTariffChange,
  listTariffs,
  scheduleTariffChange,
  TARIFF_INCREASE_NOTICE_DAYS,
  TARIFF_NOTICE_QUEUE,
} from './tariff-admin.service.js';
export { createTariffNoticeHandler } from './tariff-notice.js';
export { createPromoCode, deactivatePromoCode, listPromoCodes } from './promo-admin.service.js';
