// /cabinet/invoices: payment links. Create one, see every link of the account with its state, show its
// QR code and address, deactivate it.
import { useState } from 'react';
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
import { InvoiceForm } from './invoice.form';
import { InvoiceLinkDialog } from './invoice-link.dialog';
import { InvoiceStateBadge } from './invoice-state';
import type { Invoice, InvoicePage } from './invoice.types';
import { invoiceTexts } from './invoices.texts';
import './invoices.css';

export function InvoicesPage() {
  const t = useTexts(invoiceTexts);
  useDocumentTitle(t('title'));
  const canManage = hasPermission(useMe(), 'operations.manage');
  const { resource: shops } = useResource<ItemList<Shop>>('/api/cabinet/shops');
  const [shopId, setShopId] = useState('');
  const [page, setPage] = useState(1);
  const query = new URLSearchParams({ page: String(page), ...(shopId ? { shopId } : {}) }).toString();
  const { resource: links, reload } = useResource<InvoicePage>(`/api/cabinet/invoices?${query}`);
  const [shown, setShown] = useState<Invoice | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t('intro')}</p>
      <SuccessNotice message={notice} />
      {canManage && shops.status === 'ready' && shops.data.items.length > 0 && (
        <InvoiceForm
          shops={shops.data.items}
          onCreated={(invoice) => {
            setNotice(t('created.notice'));
            setShown(invoice);
            setPage(1);
            reload();
          }}
        />
      )}
      {canManage && shops.status === 'ready' && shops.data.items.length === 0 && (
        <p className="card">{t('form.noShops')}</p>
      )}
      <section aria-labelledby="invoice-list-title">
        <h2 id="invoice-list-title">{t('list.title')}</h2>
        {shops.status === 'ready' && shops.data.items.length > 1 && (
          <div className="field-row">
            <SelectField
              id="invoice-filter-shop"
              label={t('list.filterShop')}
              value={shopId}
              options={[
                { value: '', label: t('list.allShops') },
                ...shops.data.items.map((shop) => ({ value: shop.id, label: shop.name })),
              ]}
              onChange={(value) => {
                setShopId(value);
                setPage(1);
              }}
            />
          </div>
        )}
        {links.status === 'loading' && <Loading label={t('list.loading')} />}
        {links.status === 'failed' && <ErrorAlert message={links.message} />}
        {links.status === 'ready' && links.data.items.length === 0 && (
          <EmptyState title={t('list.empty')} headingLevel={3}>
            <p>{t('list.emptyText')}</p>
          </EmptyState>
        )}
        {links.status === 'ready' && links.data.items.length > 0 && (
          <>
            <div className="card flush table-scroll">
              <InvoiceTable
                invoices={links.data.items}
                canManage={canManage}
                onShow={setShown}
                onDeactivated={(message) => {
                  setNotice(message);
                  reload();
                }}
              />
            </div>
            <Pager page={links.data} onPage={setPage} />
          </>
        )}
      </section>
      <InvoiceLinkDialog invoice={shown} onClose={() => setShown(null)} />
    </>
  );
}

function Pager({ page, onPage }: { page: InvoicePage; onPage: (page: number) => void }) {
  const t = useTexts(invoiceTexts);
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

interface InvoiceTableProps {
  invoices: readonly Invoice[];
  canManage: boolean;
  onShow: (invoice: Invoice) => void;
  onDeactivated: (message: string) => void;
}

function InvoiceTable({ invoices, canManage, onShow, onDeactivated }: InvoiceTableProps) {
  const t = useTexts(invoiceTexts);
  const { language } = useLanguage();
  const [confirming, setConfirming] = useState<Invoice | null>(null);
  return (
    <>
      <table className="table responsive-table invoice-table">
        <thead>
          <tr>
            <th scope="col">{t('column.description')}</th>
            <th scope="col">{t('column.amount')}</th>
            <th scope="col">{t('column.type')}</th>
            <th scope="col">{t('column.state')}</th>
            <th scope="col">{t('column.created')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('column.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {invoices.map((invoice) => (
            <tr key={invoice.id}>
              <td data-label={t('column.description')}>
                <div>
                  <span className="invoice-description">{invoice.description}</span>
                  <span className="reason">
                    {invoice.shopName}
                    {invoice.source === 'api' && ` · ${t('viaApi')}`}
                  </span>
                </div>
              </td>
              <td data-label={t('column.amount')} className="invoice-sum">
                {formatAmount(invoice.amount, invoice.currency, language)}
              </td>
              <td data-label={t('column.type')}>
                {t(`type.${invoice.invoiceType}`)}
                {invoice.expiresAt && (
                  <span className="reason">
                    {t('validUntil', { date: formatShortMoment(invoice.expiresAt, language) })}
                  </span>
                )}
              </td>
              <td data-label={t('column.state')}>
                <span className="op-badges">
                  <InvoiceStateBadge invoice={invoice} />
                </span>
              </td>
              <td data-label={t('column.created')}>{formatShortMoment(invoice.createdAt, language)}</td>
              <td className="invoice-actions">
                <div className="row-actions">
                  <button
                    type="button"
                    className="button"
                    aria-label={t('showFor', { description: invoice.description })}
                    onClick={() => onShow(invoice)}
                  >
                    {t('show')}
                  </button>
                  {canManage && invoice.state === 'active' && (
                    <button
                      type="button"
                      className="button button-danger"
                      aria-label={t('deactivateFor', { description: invoice.description })}
                      onClick={() => setConfirming(invoice)}
                    >
                      {t('deactivate')}
                    </button>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <DeactivateDialog invoice={confirming} onClose={() => setConfirming(null)} onDone={onDeactivated} />
    </>
  );
}

function DeactivateDialog({
  invoice,
  onClose,
  onDone,
}: {
  invoice: Invoice | null;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const t = useTexts(invoiceTexts);
  const c = useTexts(commonTexts);
  const [isBusy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function deactivate(target: Invoice) {
    setBusy(true);
    setFailure(null);
    try {
      await api.post(`/api/cabinet/invoices/${encodeURIComponent(target.id)}/deactivate`);
      onClose();
      onDone(t('deactivated'));
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal open={invoice !== null} title={t('deactivate')} onClose={onClose}>
      <p>{t('confirmDeactivate', { description: invoice?.description ?? '' })}</p>
      <ErrorAlert message={failure} />
      <div className="actions">
        <button
          type="button"
          className="button button-danger"
          disabled={isBusy}
          aria-busy={isBusy}
          onClick={() => invoice && void deactivate(invoice)}
        >
          {t('deactivate')}
        </button>
        <button type="button" className="button" onClick={onClose} disabled={isBusy}>
          {c('cancel')}
        </button>
      </div>
    </Modal>
  );
}
