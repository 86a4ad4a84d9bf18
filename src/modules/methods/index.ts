/**
 * Methods: how buyers pay. Owns the payment-method catalogue (Robokassa's GetCurrencies and
 * GetPaymentMethods), card input validation (Luhn, brand, expiry, CVC) and the card acquirer provider
 * interface with its sandbox implementation. Holds no card number beyond the call it is handed one for:
 * numbers are stored by the vault module.
 */
export {
  findMethodByLabelOrAlias,
  listMethodGroups,
  listMethodItems,
  listPaymentMethods,
  methodAmountProblem,
  PAYMENT_METHOD_KINDS,
  type MethodCapabilities,
  type PaymentMethod,
  type PaymentMethodGroup,
  type PaymentMethodItem,
  type PaymentMethodKind,
  type PaymentMethodMatch,
} from './catalog.js';
export {
  CARD_BRAND_NAMES,
  CARD_BRANDS,
  CARD_PROBLEMS,
  detectCardBrand,
  formatCardMask,
  luhnIsValid,
  validateCardInput,
  type CardBrand,
  type CardField,
  type CardInput,
  type CardValidationResult,
  type ValidCard,
} from './card-validation.js';
export {
  DECLINE_REASON_TEXTS,
  DECLINE_REASONS,
  isDeclineReason,
  HOLD_REFUSAL_REASONS,
  type AcquirerOutcome,
  type CaptureOutcome,
  type CaptureRequest,
  type CardAcquirer,
  type CardAuthorizationRequest,
  type DeclineReason,
  type HoldRefusalReason,
  type VoidOutcome,
} from './providers/card-acquirer.js';
export {
  SANDBOX_CARDS,
  SANDBOX_CHALLENGE_CODE,
  SANDBOX_CHALLENGE_TRIES,
  SANDBOX_NO_ANSWER_RESOLVES_AFTER_MS,
  SandboxCardAcquirer,
  type SandboxCardAcquirerOptions,
} from './providers/sandbox-card-acquirer.js';
export {
  isMethodEnabled,
  listEnabledMethods,
  listShopMethods,
  setShopMethods,
  type ShopMethod,
} from './shop-methods.service.js';
export {
  METHOD_REFUSAL_REASONS,
  type CallbackReading,
  type ConfirmOutcome,
  type MethodEvent,
  type MethodInstructions,
  type MethodProvider,
  type MethodRefundOutcome,
  type MethodRefusalReason,
  type MethodStartOutcome,
  type MethodStartRequest,
  type OurMethodStatus,
} from './providers/method-provider.js';
export {
  createSandboxMethodProviders,
  findProviderByName,
  findProviderForKind,
  type SandboxProviderOptions,
} from './providers/method-providers.js';
export { SANDBOX_CALLBACK_QUEUE, type SandboxCallbackJob } from './providers/sandbox-operations.js';
export { registerSandboxMethodPages } from './providers/sandbox-pages.js';
export { registerMethodBackofficeRoutes, registerMethodCabinetRoutes } from './methods.routes.js';
export { isProviderEnabled } from './provider-settings.service.js';
