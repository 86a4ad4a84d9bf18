// /backoffice/payouts: finance's payout queue. Payouts above the approval threshold wait here with their
// money reserved; finance approves (for a 1C payment-order file or the automatic bank) or rejects them,
// exports approved ones as a client-bank file, and records what the bank statement shows.
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { commonTexts } from '../../lib/common.texts';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { formatDate, formatDateTime } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { ItemList } from '../../lib/types';
import {
  EmptyState,
  ErrorAlert,
  Loading,
  Modal,
  RadioGroupField,
  SelectField,
  SuccessNotice,
  TextAreaField,
  TextField,
  useDocumentTitle,
} from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { formatAmount } from '../operations/operation-format';
import { payoutQueueTexts } from './payouts-queue.texts';

const STATUSES = ['awaiting_approval', 'approved', 'exported', 'executed', 'returned', 'rejected'] as const;
type QueueStatus = (typeof STATUSES)[number];
type Action = 'approve' | 'reject' | 'executed' | 'returned';

interface QueueItem {
  id: string;
  accountLogin: string;
  shopName: string;
  amount: string;
  currency: string;
  status: QueueStatus;
  delivery: 'provider' | 'bank_file';
  createdAt: string;
  rejectReason: string | null;
  orderNumber: string | null;
  exportFileNumber: string | null;
  bankReference: string | null;
  executedOn: string | null;
  returnedOn: string | null;
  returnReason: string | null;
  recipient: {
    recipientName: string;
    inn: string;
    kpp: string | null;
    bik: string;
    settlementAccount: string;
  };
}

interface ExportFile {
  id: string;
  number: string;
  createdAt: string;
  isReexport: boolean;
  payoutCount: number;
  total: string;
}

interface CreatedFile extends ExportFile {
  downloadUrl: string;
}

const fileUrl = (id: string) => `/api/backoffice/payout-exports/${encodeURIComponent(id)}/file`;

export function PayoutsQueuePage() {
  const t = useTexts(payoutQueueTexts);
  const { language } = useLanguage();
  useDocumentTitle(t('title'));
  const [status, setStatus] = useState<QueueStatus>('awaiting_approval');
  const queue = useResource<ItemList<QueueItem> & { threshold: string }>(
    `/api/backoffice/payouts/queue?status=${status}`,
  );
  const files = useResource<ItemList<ExportFile>>('/api/backoffice/payout-exports');
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedFile | null>(null);
  const [acting, setActing] = useState<{ action: Action; item: QueueItem } | null>(null);

  async function exportFile(body: { payoutIds?: string[]; reexport?: boolean }) {
    setNotice(null);
    setFailure(null);
    try {
      setCreated(await api.post<CreatedFile>('/api/backoffice/payout-exports', body));
      queue.reload();
      files.reload();
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  function done(message: string) {
    setActing(null);
    setCreated(null);
    setNotice(message);
    queue.reload();
  }

  const items = queue.resource.status === 'ready' ? queue.resource.data.items : [];
  return (
    <>
      <h1>{t('title')}</h1>
      {queue.resource.status === 'ready' && (
        <p className="lead">
          {t('intro', { threshold: formatAmount(queue.resource.data.threshold, 'RUB', language) })}
        </p>
      )}
      <SuccessNotice message={notice} />
      {created && (
        <div className="alert alert-success" role="status">
          {t('exported', {
            number: created.number,
            count: created.payoutCount,
            total: formatAmount(created.total, 'RUB', language),
          })}{' '}
          <a href={created.downloadUrl} download>
            {t('download', { number: created.number })}
          </a>
        </div>
      )}
      <ErrorAlert message={failure} />
      <div className="field-row">
        <SelectField
          id="payout-queue-status"
          label={t('show')}
          value={status}
          onChange={(value) => {
            setStatus(value);
            setNotice(null);
          }}
          options={STATUSES.map((value) => ({ value, label: t(`status.${value}`) }))}
        />
        {status === 'approved' && items.length > 0 && (
          <div className="field">
            <button
              type="button"
              className="button button-primary align-end"
              onClick={() => void exportFile({})}
            >
              {t('exportAll')}
            </button>
          </div>
        )}
      </div>
      {queue.resource.status === 'loading' && <Loading label={t('loading')} />}
      {queue.resource.status === 'failed' && <ErrorAlert message={queue.resource.message} />}
      {queue.resource.status === 'ready' &&
        (items.length === 0 ? (
          <EmptyState title={t('empty')} />
        ) : (
          <div className="card flush">
            <PayoutTable
              items={items}
              onAction={(action, item) => setActing({ action, item })}
              onReexport={(item) => void exportFile({ payoutIds: [item.id], reexport: true })}
            />
          </div>
        ))}
      <Modal
        open={acting !== null}
        title={acting ? t(`${acting.action}.title`) : ''}
        onClose={() => setActing(null)}
      >
        {acting && (
          <ActionForm
            action={acting.action}
            item={acting.item}
            onDone={() => done(t(`${acting.action}.done`))}
            onCancel={() => setActing(null)}
          />
        )}
      </Modal>
      <ExportFiles files={files.resource.status === 'ready' ? files.resource.data.items : null} />
    </>
  );
}

function PayoutTable({
  items,
  onAction,
  onReexport,
}: {
  items: QueueItem[];
  onAction: (action: Action, item: QueueItem) => void;
  onReexport: (item: QueueItem) => void;
}) {
  const t = useTexts(payoutQueueTexts);
  const { language } = useLanguage();
  return (
    <table className="table responsive-table">
      <thead>
        <tr>
          <th scope="col">{t('column.created')}</th>
          <th scope="col">{t('column.merchant')}</th>
          <th scope="col" className="numeric">
            {t('column.amount')}
          </th>
          <th scope="col">{t('column.recipient')}</th>
          <th scope="col">{t('column.details')}</th>
          <th scope="col">{t('column.actions')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={item.id}>
            <td data-label={t('column.created')}>{formatDateTime(item.createdAt, language)}</td>
            <td data-label={t('column.merchant')}>
              {item.shopName} <code>{item.accountLogin}</code>
            </td>
            <td data-label={t('column.amount')} className="numeric">
              {formatAmount(item.amount, item.currency, language)}
            </td>
            <td data-label={t('column.recipient')}>
              {item.recipient.recipientName}
              <br />
              <small>
                {t('inn', { inn: item.recipient.inn })}
                {item.recipient.kpp && `, ${t('kpp', { kpp: item.recipient.kpp })}`},{' '}
                {t('bik', { bik: item.recipient.bik })},{' '}
                {t('account', { account: item.recipient.settlementAccount })}
              </small>
            </td>
            <td data-label={t('column.details')}>
              <PayoutDetails item={item} />
            </td>
            <td data-label={t('column.actions')} className="row-actions">
              <PayoutActions item={item} onAction={onAction} onReexport={onReexport} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PayoutDetails({ item }: { item: QueueItem }) {
  const t = useTexts(payoutQueueTexts);
  const { language } = useLanguage();
  const day = (date: string | null) => (date ? formatDate(date, language) : '');
  const parts = [
    item.delivery === 'provider' && item.status !== 'awaiting_approval' && item.status !== 'rejected'
      ? t('viaProvider')
      : null,
    item.orderNumber && t('orderNumber', { number: item.orderNumber }),
    item.exportFileNumber && t('fileNumber', { number: item.exportFileNumber }),
    item.bankReference && t('bankReference', { reference: item.bankReference, date: day(item.executedOn) }),
    item.returnReason && t('returnReason', { reason: item.returnReason, date: day(item.returnedOn) }),
    item.rejectReason && t('rejectReason', { reason: item.rejectReason }),
  ].filter((part): part is string => Boolean(part));
  return <>{parts.join('; ')}</>;
}

function PayoutActions({
  item,
  onAction,
  onReexport,
}: {
  item: QueueItem;
  onAction: (action: Action, item: QueueItem) => void;
  onReexport: (item: QueueItem) => void;
}) {
  const t = useTexts(payoutQueueTexts);
  const button = (action: Action, isPrimary = false) => (
    <button
      type="button"
      className={isPrimary ? 'button button-primary' : 'button'}
      onClick={() => onAction(action, item)}
    >
      {t(action)}
    </button>
  );
  if (item.status === 'awaiting_approval')
    return (
      <>
        {button('approve', true)} {button('reject')}
      </>
    );
  if (item.status === 'approved') return button('reject');
  if (item.status === 'exported')
    return (
      <>
        {button('executed', true)} {button('returned')}{' '}
        <button type="button" className="button" onClick={() => onReexport(item)}>
          {t('reexport')}
        </button>
      </>
    );
  if (item.status === 'executed' && item.delivery === 'bank_file') return button('returned');
  return null;
}

const today = () => new Date(Date.now() + 3 * 3_600_000).toISOString().slice(0, 10);

/** The fields each decision sends, and the ids of their inputs (for focusing the first error). */
const FIELDS: Record<Action, readonly (readonly [string, string])[]> = {
  approve: [],
  reject: [['reason', 'payout-reason']],
  executed: [
    ['bankReference', 'payout-bank-reference'],
    ['executedOn', 'payout-date'],
  ],
  returned: [
    ['reason', 'payout-reason'],
    ['returnedOn', 'payout-date'],
  ],
};

function ActionForm({
  action,
  item,
  onDone,
  onCancel,
}: {
  action: Action;
  item: QueueItem;
  onDone: () => void;
  onCancel: () => void;
}) {
  const t = useTexts(payoutQueueTexts);
  const c = useTexts(commonTexts);
  const { language } = useLanguage();
  const [delivery, setDelivery] = useState<'bank_file' | 'provider'>('bank_file');
  const [reason, setReason] = useState('');
  const [reference, setReference] = useState('');
  const [date, setDate] = useState(today());
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const bodies: Record<Action, unknown> = {
    approve: { delivery },
    reject: { reason },
    executed: { bankReference: reference, executedOn: date },
    returned: { reason, returnedOn: date },
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      await api.post(`/api/backoffice/payouts/${encodeURIComponent(item.id)}/${action}`, bodies[action]);
      onDone();
    } catch (error) {
      setBusy(false);
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, FIELDS[action]);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <p>
        {t('approve.intro', {
          amount: formatAmount(item.amount, item.currency, language),
          recipient: item.recipient.recipientName,
        })}
      </p>
      <ErrorAlert message={failure} />
      {action === 'approve' && (
        <RadioGroupField
          id="payout-delivery"
          name="delivery"
          label={t('approve.delivery')}
          value={delivery}
          onChange={setDelivery}
          options={[
            { value: 'bank_file', label: t('approve.bankFile') },
            { value: 'provider', label: t('approve.provider') },
          ]}
        />
      )}
      {action === 'executed' && (
        <TextField
          id="payout-bank-reference"
          label={t('executed.reference')}
          error={errors.bankReference}
          value={reference}
          onChange={(event) => setReference(event.target.value)}
        />
      )}
      {(action === 'reject' || action === 'returned') && (
        <TextAreaField
          id="payout-reason"
          label={t(action === 'reject' ? 'reject.reason' : 'returned.reason')}
          hint={action === 'reject' ? t('reject.hint') : undefined}
          error={errors.reason}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          rows={3}
        />
      )}
      {(action === 'executed' || action === 'returned') && (
        <TextField
          id="payout-date"
          type="date"
          label={t(action === 'executed' ? 'executed.date' : 'returned.date')}
          error={errors[action === 'executed' ? 'executedOn' : 'returnedOn']}
          value={date}
          onChange={(event) => setDate(event.target.value)}
        />
      )}
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
          {t(`${action}.submit`)}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {c('cancel')}
        </button>
      </div>
    </form>
  );
}

function ExportFiles({ files }: { files: ExportFile[] | null }) {
  const t = useTexts(payoutQueueTexts);
  const { language } = useLanguage();
  if (files === null) return null;
  return (
    <section aria-labelledby="payout-files-title">
      <h2 id="payout-files-title">{t('files.title')}</h2>
      {files.length === 0 ? (
        <p>{t('files.empty')}</p>
      ) : (
        <ul>
          {files.map((file) => (
            <li key={file.id}>
              {t('files.row', {
                number: file.number,
                date: formatDateTime(file.createdAt, language),
                count: file.payoutCount,
                total: formatAmount(file.total, 'RUB', language),
              })}
              {file.isReexport && ` (${t('files.reexport')})`}{' '}
              <a href={fileUrl(file.id)} download aria-label={`${t('files.download')} № ${file.number}`}>
                {t('files.download')}
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
