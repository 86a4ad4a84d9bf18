/**
 * One call to the acquirer outside any transaction, cut off after ACQUIRER_TIMEOUT_MS. A thrown error or
 * a hung call is an unknown outcome, never a refusal: money may have moved, so the caller records
 * "no answer" and a reconcile job asks again.
 */
import type { Deps } from '../../deps.js';
import { ACQUIRER_TIMEOUT_MS } from './card-payment.service.js';

export async function callAcquirer<T>(deps: Deps, call: () => Promise<T>, noAnswer: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(noAnswer), ACQUIRER_TIMEOUT_MS);
  });
  try {
    return await Promise.race([call(), timeout]);
  } catch (error) {
    deps.logger.warn({ err: error }, 'card acquirer call failed; the outcome will be reconciled');
    return noAnswer;
  } finally {
    clearTimeout(timer);
  }
}
