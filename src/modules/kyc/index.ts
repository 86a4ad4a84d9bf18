/**
 * KYC: the account's questionnaire by legal form (legal entity, sole proprietor, self-employed
 * individual) with check-digit validation of INN, KPP, OGRN/OGRNIP and bank details, document scans,
 * submission to moderation, and the operator's decision (approved, or rejected with reasons per field)
 * delivered to the account's messages and e-mail.
 */
export { registerKycModerationRoutes, registerKycRoutes } from './kyc.routes.js';
export { isOgrn, isOgrnip, KYC_FIELDS, validateKycFields } from './kyc.validation.js';
export { readApprovedRequisites, type ApprovedRequisites } from './kyc.service.js';
