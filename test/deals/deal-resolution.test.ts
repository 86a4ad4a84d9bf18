/**
 * How a paid deal ends other than by the buyer's confirmation: the deadline (on the injected clock),
 * the operator's decision on a dispute (for the buyer: refund; for the seller: release), the merchant's
 * cancellation (before payment, after payment, and while the buyer is paying), with the ledger
 * balanced after every step and each money step posted exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseDueDeals } from '../../src/modules/deals/index.js';
import type { TestBrowser } from '../support/client.js';
import { auditEntries, createOperator, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { openLiveShop, payWithCard, type LiveShop } from '../invoices/invoice-support.js';
import { paymentIdFrom } from '../support/payments.js';
import {
  accountSum,
  buyerPost,
  createDealVia,
  escrowAccount,
  expectLedgerBalanced,
  payDeal,
  readDeal,
  secretMailedTo,
  shopPending,
  transfersOfDeal,
} from './deal-support.js';

let context: TestContext;
let merchant: TestBrowser;
let operator: TestBrowser;
let shop: LiveShop;

beforeAll(async () => {
  context = await createTestContext();
  merchant = (await registerMerchant(context)).browser;
  shop = await openLiveShop(context, merchant);
  operator = (await createOperator(context)).browser;
});
afterAll(async () => context?.close());

async function paidDeal(overrides: Record<string, unknown> = {}) {
  const deal = await createDealVia(merchant, shop.id, overrides);
  const secret = await secretMailedTo(context, deal.buyerEmail);
  const paymentId = await payDeal(context, secret);
  return { ...deal, secret, paymentId };
}

async function dispute(secret: string, text = 'Товар не пришёл, трек-номер не отслеживается.') {
  return buyerPost(context, `/deal/${secret}/dispute`, { text });
}

describe('the deadline', () => {
  it('releases a paid deal when it passes, not before, and never a disputed one', async () => {
    const due = await paidDeal({ deadlineDays: 3 });
    const disputed = await paidDeal({ deadlineDays: 3 });
    expect((await dispute(disputed.secret)).statusCode).toBe(303);

    context.clock.advanceMs(3 * 86_400_000 - 1000);
    await releaseDueDeals(context.deps);
    expect((await readDeal(context, due.id)).status).toBe('paid');

    context.clock.advanceMs(1000);
    expect(await releaseDueDeals(context.deps)).toBe(1);
    expect(await readDeal(context, due.id)).toMatchObject({ status: 'released', resolution: 'deadline' });
    expect((await readDeal(context, disputed.id)).status).toBe('disputed');
    // A second run (another node) finds nothing left to do.
    expect(await releaseDueDeals(context.deps)).toBe(0);
    expect(await transfersOfDeal(context, due.id)).toEqual([
      `deal:${due.id}:escrowed`,
      `deal:${due.id}:released`,
    ]);
    await expectLedgerBalanced(context);
    // The sessions of the people above expired while days passed.
    merchant = (await registerMerchant(context)).browser;
    shop = await openLiveShop(context, merchant);
    operator = (await createOperator(context)).browser;
  });
});

describe('a dispute', () => {
  it('keeps the text, refuses a too-short one without change, and reaches the operator', async () => {
    const deal = await paidDeal();
    const short = await dispute(deal.secret, 'плохо');
    expect(short.statusCode).toBe(422);
    expect(short.body).toContain('aria-invalid="true"');
    expect((await readDeal(context, deal.id)).status).toBe('paid');

    expect((await dispute(deal.secret)).headers.location).toBe(`/deal/${deal.secret}?done=disputed`);
    expect((await readDeal(context, deal.id)).status).toBe('disputed');
    const page = await context.app.inject({ method: 'GET', url: `/deal/${deal.secret}` });
    expect(page.body).toContain('трек-номер');
    expect(page.body).not.toContain('/confirm"');
    // Confirming a disputed deal is refused: the operator decides now.
    expect((await buyerPost(context, `/deal/${deal.secret}/confirm`)).headers.location).toContain(
      'not_confirmable',
    );

    const list = await operator.get('/api/backoffice/deals');
    expect(list.statusCode).toBe(200);
    const items = (list.json() as { items: { id: string; disputeText: string }[] }).items;
    expect(items.find((item) => item.id === deal.id)?.disputeText).toContain('трек-номер');
    const merchantView = await merchant.get(`/api/cabinet/deals/${deal.id}`);
    expect(merchantView.json()).toMatchObject({ status: 'disputed' });
  });

  it('decided for the buyer returns the whole amount from escrow, audited', async () => {
    const deal = await paidDeal();
    await dispute(deal.secret);
    const escrowBefore = await accountSum(context, escrowAccount);
    const pendingBefore = await accountSum(context, shopPending(shop.id));

    const noNote = await operator.post(`/api/backoffice/deals/${deal.id}/decide`, {
      decision: 'buyer',
      note: '  ',
    });
    expect(noNote.statusCode).toBe(422);
    const decided = await operator.post(`/api/backoffice/deals/${deal.id}/decide`, {
      decision: 'buyer',
      note: 'Продавец не подтвердил отправку',
    });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(await readDeal(context, deal.id)).toMatchObject({
      status: 'refunded',
      resolution: 'decided_for_buyer',
    });
    expect((await accountSum(context, escrowAccount)) - escrowBefore).toBe(149_000n);
    expect(await accountSum(context, shopPending(shop.id))).toBe(pendingBefore);
    expect(await transfersOfDeal(context, deal.id)).toEqual([
      `deal:${deal.id}:escrowed`,
      `deal:${deal.id}:refunded`,
    ]);
    await expectLedgerBalanced(context);
    const audit = await auditEntries(context, 'deal.dispute_decided');
    expect(audit.some((entry) => entry.target === deal.id)).toBe(true);

    const again = await operator.post(`/api/backoffice/deals/${deal.id}/decide`, {
      decision: 'seller',
      note: 'x',
    });
    expect(again.json()).toMatchObject({ error: { code: 'deal_not_disputed' } });
  });

  it('decided for the seller releases to the shop; merchants cannot decide', async () => {
    const deal = await paidDeal();
    await dispute(deal.secret);
    const byMerchant = await merchant.post(`/api/backoffice/deals/${deal.id}/decide`, {
      decision: 'seller',
      note: 'мне можно',
    });
    expect(byMerchant.statusCode).toBe(403);
    const decided = await operator.post(`/api/backoffice/deals/${deal.id}/decide`, {
      decision: 'seller',
      note: 'Трек подтверждает вручение',
    });
    expect(decided.json()).toMatchObject({ status: 'released', resolution: 'decided_for_seller' });
    expect(await transfersOfDeal(context, deal.id)).toEqual([
      `deal:${deal.id}:escrowed`,
      `deal:${deal.id}:released`,
    ]);
    await expectLedgerBalanced(context);
  });
});

describe('the merchant’s cancellation', () => {
  it('ends an unpaid deal, after which it cannot be paid', async () => {
    const deal = await createDealVia(merchant, shop.id);
    const secret = await secretMailedTo(context, deal.buyerEmail);
    const cancelled = await merchant.post(`/api/cabinet/deals/${deal.id}/cancel`);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', resolution: 'cancelled_by_merchant' });
    const pay = await buyerPost(context, `/deal/${secret}/pay`);
    expect(pay.headers.location).toBe(`/deal/${secret}?done=not_payable`);
    expect(await transfersOfDeal(context, deal.id)).toEqual([]);
  });

  it('returns a paid deal’s money to the buyer, and refuses once the money is released', async () => {
    const deal = await paidDeal();
    const cancelled = await merchant.post(`/api/cabinet/deals/${deal.id}/cancel`);
    expect(cancelled.json()).toMatchObject({ status: 'refunded', resolution: 'cancelled_by_merchant' });
    expect(await transfersOfDeal(context, deal.id)).toEqual([
      `deal:${deal.id}:escrowed`,
      `deal:${deal.id}:refunded`,
    ]);
    const twice = await merchant.post(`/api/cabinet/deals/${deal.id}/cancel`);
    expect(twice.statusCode).toBe(409);

    const released = await paidDeal();
    await buyerPost(context, `/deal/${released.secret}/confirm`);
    const late = await merchant.post(`/api/cabinet/deals/${released.id}/cancel`);
    expect(late.json()).toMatchObject({ error: { code: 'deal_not_cancellable' } });
    await expectLedgerBalanced(context);
  });

  it('while the buyer is paying: the money comes in and goes straight back', async () => {
    const deal = await createDealVia(merchant, shop.id);
    const secret = await secretMailedTo(context, deal.buyerEmail);
    const started = await buyerPost(context, `/deal/${secret}/pay`);
    const paymentId = paymentIdFrom(started.headers.location as string);
    await merchant.post(`/api/cabinet/deals/${deal.id}/cancel`);
    await payWithCard(context, paymentId);
    expect(await readDeal(context, deal.id)).toMatchObject({ status: 'refunded' });
    expect(await transfersOfDeal(context, deal.id)).toEqual([
      `deal:${deal.id}:escrowed`,
      `deal:${deal.id}:refunded`,
    ]);
    await expectLedgerBalanced(context);
  });
});
