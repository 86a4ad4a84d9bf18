/**
 * Checkout: the buyer's pages, server-rendered and small: Robokassa's payment request, the payment page
 * with the bank-card form, 3-D Secure, waiting for the bank, and the way back to the shop.
 */
export { registerCheckoutRoutes } from './checkout.routes.js';
