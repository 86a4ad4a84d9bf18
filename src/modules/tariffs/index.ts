/** Tariffs: the platform's fee per payment-method group, default and per shop, and the one rounding rule. */
export { computeBuyerCharge, netOfGross, type BuyerCharge } from './buyer-fee.js';
export { computeFee, findTariff, NO_FEE, type Tariff } from './tariff.service.js';
