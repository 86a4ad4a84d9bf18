/**
 * Checkout: the buyer's pages, server-rendered and small: Robokassa's payment request, the payment page
 * with the bank-card form, 3-D Secure, waiting for the bank, and the way back to the shop. The page
 * frame, the protocol error page and the sender with its strict CSP serve other buyer pages too (payment links).
 */
export { errorContent, registerCheckoutRoutes, sendPage } from './checkout.routes.js';
export { renderError, renderPage } from './checkout.pages.js';
