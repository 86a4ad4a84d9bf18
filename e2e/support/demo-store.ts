/** What the demo store saw of a payment: its ResultURL handler's order, and Kopek's notification record. */
import { expect } from 'vitest';
import type { RunningKopek } from './kopek-server.js';

/**
 * The payment is paid; waits until the demo store's ResultURL handler has verified the notification and marked the order
 * paid, and Kopek has recorded the acknowledgement (the handler answered OK<InvId>).
 */
export async function expectDemoStoreNotified(kopek: RunningKopek, paymentId: string): Promise<void> {
  const db = kopek.runtime.deps.db;
  const payment = await db
    .selectFrom('payments')
    .select(['inv_id', 'status'])
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
  expect(payment.status).toBe('paid');
  const poll = { timeout: 30_000, interval: 500 };
  await expect
    .poll(
      async () =>
        (
          await db
            .selectFrom('demo_store_orders')
            .select('status')
            .where('id', '=', payment.inv_id)
            .executeTakeFirst()
        )?.status,
      poll,
    )
    .toBe('paid');
  await expect
    .poll(
      async () =>
        (
          await db.selectFrom('notifications').select('status').where('subject_id', '=', paymentId).execute()
        ).map((row) => row.status),
      poll,
    )
    .toEqual(['delivered']);
}
