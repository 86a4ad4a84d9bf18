// /cabinet/deals: safe deals. Create one (its link goes to the buyer by e-mail), see every deal of the
// account with its status, dates and the buyer's dispute, and cancel one before its money is released.
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { commonTexts } from '../../lib/common.texts';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { ItemList, Shop } from '../../lib/types';
import {
  EmptyState,
  ErrorAlert,
  Loading,
  Modal,
  SelectField,
  SuccessNotice,
  useDocumentTitle,
} from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { formatAmount, formatShortMoment } from '../operations/operation-format';
import { hasPermission, useMe } from '../shell/session';
import { DealForm } from './deal.form';
import { isCancellable, type Deal, type DealPage, type DealStatus } from './deal.types';
import { dealTexts } from './deals.texts';
import './deals.css';

const STATUSES: readonly DealStatus[] = ['created', 'paid', 'disputed', 'released', 'refunded', 'cancelled'];

export function DealsPage() {
  const t = useTexts(dealTexts);
  useDocumentTitle(t('title'));
  const canManage = hasPermission(useMe(), 'operations.manage');
  const { resource: shops } = useResource<ItemList<Shop>>('/api/cabinet/shops');
  const [shopId, setShopId] = useState('');
  const [status, setStatus] = useState<DealStatus | ''>('');
  const [page, setPage] = useState(1);
  const query = new URLSearchParams({
    page: String(page),
    ...(shopId ? { shopId } : {}),
    ...(status ? { status } : {}),
  }).toString();
  const { resource: deals, reload } = useResource<DealPage & { defaultDeadlineDays: number }>(
    `/api/cabinet/deals?${query}`,
  );
  const [notice, setNotice] = useState<string | null>(null);
  const shopList = shops.status === 'ready' ? shops.data.items : [];

  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t('intro')}</p>
      <SuccessNotice message={notice} />
      <FocusedDeal />
      {canManage && shopList.length > 0 && deals.status === 'ready' && (
        <DealForm
          shops={shopList}
          defaultDeadlineDays={deals.data.defaultDeadlineDays}
          onCreated={(deal) => {
            setNotice(t('created.notice', { email: deal.buyerEmail }));
            setPage(1);
            reload();
          }}
        />
      )}
      {canManage && shops.status === 'ready' && shopList.length === 0 && (
        <p className="card">{t('form.noShops')}</p>
      )}
      <section aria-labelledby="deal-list-title">
        <h2 id="deal-list-title">{t('list.title')}</h2>
        <div className="field-row">
          {shopList.length > 1 && (
            <SelectField
              id="deal-filter-shop"
              label={t('list.filterShop')}
              value={shopId}
              options={[
                { value: '', label: t('list.allShops') },
                ...shopList.map((shop) => ({ value: shop.id, label: shop.name })),
              ]}
              onChange={(value) => {
                setShopId(value);
                setPage(1);
              }}
            />
          )}
          <SelectField<DealStatus | ''>
            id="deal-filter-status"
            label={t('list.filterStatus')}
            value={status}
            options={[
              { value: '', label: t('list.allStatuses') },
              ...STATUSES.map((value) => ({ value, label: t(`status.${value}`) })),
            ]}
            onChange={(value) => {
              setStatus(value);
              setPage(1);
            }}
          />
        </div>
        {deals.status === 'loading' && <Loading label={t('list.loading')} />}
        {deals.status === 'failed' && <ErrorAlert message={deals.message} />}
        {deals.status === 'ready' && deals.data.items.length === 0 && (
          <EmptyState title={t('list.empty')} headingLevel={3}>
            <p>{t('list.emptyText')}</p>
          </EmptyState>
        )}
        {deals.status === 'ready' && deals.data.items.length > 0 && (
          <>
            <div className="card flush table-scroll">
              <DealTable
                deals={deals.data.items}
                canManage={canManage}
                onCancelled={(message) => {
                  setNotice(message);
                  reload();
                }}
              />
            </div>
            <Pager page={deals.data} onPage={setPage} />
          </>
        )}
      </section>
    </>
  );
}

/** /cabinet/deals/:id (the link in messages about a deal): that deal first, above the form and the list. */
function FocusedDeal() {
  const { id } = useParams();
  return id ? <FocusedDealCard id={id} /> : null;
}

function FocusedDealCard({ id }: { id: string }) {
  const t = useTexts(dealTexts);
  const { language } = useLanguage();
  const { resource } = useResource<Deal>(`/api/cabinet/deals/${encodeURIComponent(id)}`);
  if (resource.status === 'loading') return <Loading label={t('list.loading')} />;
  if (resource.status === 'failed') return <ErrorAlert message={resource.message} />;
  const deal = resource.data;
  return (
    <section className="card deal-focus" aria-labelledby="deal-focus-title">
      <h2 id="deal-focus-title">{deal.description}</h2>
      <p>
        <strong>{formatAmount(deal.amount, deal.currency, language)}</strong> · {deal.shopName} ·{' '}
        {t('buyer', { email: deal.buyerEmail })}
      </p>
      <DealStatusBadge deal={deal} />
      <DealDates deal={deal} />
      {deal.disputeText && <p className="deal-dispute">{t('disputeText', { text: deal.disputeText })}</p>}
      {deal.resolutionNote && <p>{t('note', { note: deal.resolutionNote })}</p>}
    </section>
  );
}

function Pager({ page, onPage }: { page: DealPage; onPage: (page: number) => void }) {
  const t = useTexts(dealTexts);
  const from = (page.page - 1) * page.pageSize + 1;
  const to = from + page.items.length - 1;
  return (
    <div className="actions">
      <p className="muted" role="status">
        {t('list.shown', { from, to, total: page.total })}
      </p>
      {page.page > 1 && (
        <button type="button" className="button" onClick={() => onPage(page.page - 1)}>
          {t('list.previous')}
        </button>
      )}
      {to < page.total && (
        <button type="button" className="button" onClick={() => onPage(page.page + 1)}>
          {t('list.next')}
        </button>
      )}
    </div>
  );
}

export function DealStatusBadge({ deal }: { deal: Deal }) {
  const t = useTexts(dealTexts);
  return (
    <span className="op-badges">
      <span className={`badge deal-status deal-status-${deal.status}`}>{t(`status.${deal.status}`)}</span>
      {deal.isTest && <span className="badge op-test">{t('test')}</span>}
    </span>
  );
}

function DealDates({ deal }: { deal: Deal }) {
  const t = useTexts(dealTexts);
  const { language } = useLanguage();
  return (
    <div>
      <span className="reason">{t('created', { date: formatShortMoment(deal.createdAt, language) })}</span>
      {(deal.status === 'paid' || deal.status === 'disputed') && deal.releaseAt ? (
        <span className="reason">
          {t('releaseAt', { date: formatShortMoment(deal.releaseAt, language) })}
        </span>
      ) : (
        deal.status === 'created' && (
          <span className="reason">{t('deadline', { days: deal.deadlineDays })}</span>
        )
      )}
      {deal.resolution && <span className="reason">{t(`resolution.${deal.resolution}`)}</span>}
    </div>
  );
}

interface DealTableProps {
  deals: readonly Deal[];
  canManage: boolean;
  onCancelled: (message: string) => void;
}

function DealTable({ deals, canManage, onCancelled }: DealTableProps) {
  const t = useTexts(dealTexts);
  const { language } = useLanguage();
  const [confirming, setConfirming] = useState<Deal | null>(null);
  return (
    <>
      <table className="table responsive-table deal-table">
        <thead>
          <tr>
            <th scope="col">{t('column.description')}</th>
            <th scope="col">{t('column.amount')}</th>
            <th scope="col">{t('column.status')}</th>
            <th scope="col">{t('column.when')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('column.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deals.map((deal) => (
            <tr key={deal.id}>
              <td data-label={t('column.description')}>
                <div>
                  <span className="deal-description">{deal.description}</span>
                  <span className="reason">
                    {deal.shopName}
                    {deal.source === 'api' && ` · ${t('viaApi')}`}
                  </span>
                  <span className="reason">{t('buyer', { email: deal.buyerEmail })}</span>
                  {deal.disputeText && (
                    <span className="reason deal-dispute">
                      {t('disputeText', { text: deal.disputeText })}
                    </span>
                  )}
                  {deal.resolutionNote && (
                    <span className="reason">{t('note', { note: deal.resolutionNote })}</span>
                  )}
                </div>
              </td>
              <td data-label={t('column.amount')} className="deal-sum">
                {formatAmount(deal.amount, deal.currency, language)}
              </td>
              <td data-label={t('column.status')}>
                <DealStatusBadge deal={deal} />
              </td>
              <td data-label={t('column.when')}>
                <DealDates deal={deal} />
              </td>
              <td className="deal-actions">
                {canManage && isCancellable(deal) && (
                  <button
                    type="button"
                    className="button button-danger"
                    aria-label={t('cancelFor', { description: deal.description })}
                    onClick={() => setConfirming(deal)}
                  >
                    {t('cancel')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <CancelDialog deal={confirming} onClose={() => setConfirming(null)} onDone={onCancelled} />
    </>
  );
}

function CancelDialog({
  deal,
  onClose,
  onDone,
}: {
  deal: Deal | null;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const t = useTexts(dealTexts);
  const c = useTexts(commonTexts);
  const { language } = useLanguage();
  const [isBusy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function cancel(target: Deal) {
    setBusy(true);
    setFailure(null);
    try {
      const result = await api.post<Deal>(`/api/cabinet/deals/${encodeURIComponent(target.id)}/cancel`);
      onClose();
      onDone(result.status === 'refunded' ? t('cancel.refunded') : t('cancel.done'));
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  const values = {
    description: deal?.description ?? '',
    amount: deal ? formatAmount(deal.amount, deal.currency, language) : '',
  };
  return (
    <Modal open={deal !== null} title={t('cancel.title')} onClose={onClose}>
      <p>{deal?.status === 'created' ? t('cancel.unpaid', values) : t('cancel.paid', values)}</p>
      <ErrorAlert message={failure} />
      <div className="actions">
        <button
          type="button"
          className="button button-danger"
          disabled={isBusy}
          aria-busy={isBusy}
          onClick={() => deal && void cancel(deal)}
        >
          {t('cancel.confirm')}
        </button>
        <button type="button" className="button" onClick={onClose} disabled={isBusy}>
          {c('cancel')}
        </button>
      </div>
    </Modal>
  );
}
