/**
 * Signing of webhook deliveries, Stripe-like: `Kopek-Signature: t=<unix seconds>,v1=<hex>` where the hex is
 * HMAC-SHA256, keyed with the endpoint's secret (the whole "whsec_..." string as UTF-8), of
 * "<t>.<body>". The timestamp is the attempt's, so a receiver can refuse old (replayed) deliveries; while
 * a rotated secret is still honoured, the header carries one v1 per secret, the newest first.
 */
import { createHmac } from 'node:crypto';
import { createSecretToken } from '../../platform/crypto.js';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
export const SIGNATURE_HEADER = 'Kopek-Signature';
export const EVENT_ID_HEADER = 'Kopek-Event-Id';
export const EVENT_TYPE_HEADER = 'Kopek-Event-Type';
/** What the documentation tells receivers to accept: signatures at most five minutes old. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function createWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${createSecretToken(32)}`;
}

export function computeWebhookSignature(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${timestampSeconds}.${body}`, 'utf8')
    .digest('hex');
}

export function buildSignatureHeader(
  secrets: readonly string[],
  timestampSeconds: number,
  body: string,
): string {
  const signatures = secrets.map((secret) => `v1=${computeWebhookSignature(secret, timestampSeconds, body)}`);
  return [`t=${timestampSeconds}`, ...signatures].join(',');
}
