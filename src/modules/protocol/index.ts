/**
 * Protocol: Robokassa's wire format — signatures, request parsing, XML answers, notification fields.
 * Pure: no database, no network.
 */
export {
  buildInitBaseString,
  buildInitSignatureCandidates,
  buildOpStateBaseString,
  buildResultBaseString,
  buildSuccessBaseString,
  HASH_ALGORITHMS,
  hashHex,
  isHashAlgorithm,
  isSignatureMatch,
  maskPasswordInBaseString,
  MAX_INIT_SIGNATURE_CANDIDATES,
  PASSWORD_MASK,
  signInitRequest,
  signResult,
  signSuccess,
  sortShpOrdinally,
  verifyInitSignature,
  verifyOpStateSignature,
  type HashAlgorithm,
  type InitSignatureCheck,
  type InitSignatureParams,
  type ShpEntry,
  type SignatureCandidate,
} from './signature.js';
export {
  parseInitRequest,
  type InitRequest,
  type InitRequestParseResult,
  type OutSumCurrency,
  type RedirectMethod,
  type RequestFields,
} from './init-request.js';
export { isWindows1251, parseWindows1251Form } from './windows-1251.js';
export {
  describePaymentPageError,
  PAYMENT_PAGE_ERROR,
  PAYMENT_PAGE_ERRORS,
  protocolError,
  type ProtocolError,
} from './protocol.errors.js';
export {
  buildCalcOutSumResponse,
  buildCurrenciesResponse,
  buildOpStateResponse,
  buildPaymentMethodsResponse,
  buildRatesResponse,
  buildResultOnlyResponse,
  escapeXml,
  formatMoscowDateTime,
  WEB_SERVICE_NAMESPACE,
  XML_RESULT_CODE,
  type CurrencyGroup,
  type OperationState,
  type OperationStateCode,
  type PaymentMethod,
  type RateGroup,
  type XmlResponseRoot,
  type XmlResultCode,
} from './xml.js';
export {
  buildFailRedirectFields,
  buildResultNotificationFields,
  buildSuccessRedirectFields,
  isResultAcknowledged,
  type NotificationField,
  type RedirectInput,
  type ResultNotificationInput,
  type SuccessRedirectInput,
} from './result-notification.js';
export { parseIsoDateTime } from './iso-date.js';
