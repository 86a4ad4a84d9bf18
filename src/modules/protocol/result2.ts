/**
 * The payload of the ResultUrl2 notification (Robokassa's "Result2", reference §2.1): what Kopek signs as
 * a JWS (RS256) and POSTs to the payment's ResultUrl2. Every value is a string, as in Robokassa's sample.
 *
 * States (Robokassa documents OK and HOLD; §16 item 5 leaves the rest to us):
 * - HOLD: the amount is reserved on the buyer's card (StepByStep): the only notice of a successful hold;
 * - OK: the payment is paid, including a hold the shop confirmed (incSum is then the captured amount);
 * - CANCELLED: the hold ended without a capture: cancelled by the shop, expired, or gone at the acquirer.
 */

export const RESULT2_STATES = ['HOLD', 'OK', 'CANCELLED'] as const;
export type Result2State = (typeof RESULT2_STATES)[number];

export interface Result2Input {
  /** MerchantLogin. */
  readonly shop: string;
  readonly opKey: string;
  readonly invId: string;
  readonly paymentMethod: string;
  /** Decimal text with two decimals, as Robokassa writes it ("10.00"). */
  readonly incSum: string;
  readonly state: Result2State;
  /** When the state was reached; sent in whole Unix seconds. */
  readonly at: Date;
}

export interface Result2Payload {
  readonly header: {
    readonly type: 'PaymentStateNotification';
    readonly version: '1.0.0';
    readonly timestamp: string;
  };
  readonly data: {
    readonly shop: string;
    readonly opKey: string;
    readonly invId: string;
    readonly paymentMethod: string;
    readonly incSum: string;
    readonly state: Result2State;
  };
}

export function buildResult2Payload(input: Result2Input): Result2Payload {
  return {
    header: {
      type: 'PaymentStateNotification',
      version: '1.0.0',
      timestamp: String(Math.floor(input.at.getTime() / 1000)),
    },
    data: {
      shop: input.shop,
      opKey: input.opKey,
      invId: input.invId,
      paymentMethod: input.paymentMethod,
      incSum: input.incSum,
      state: input.state,
    },
  };
}
