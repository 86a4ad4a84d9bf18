// /backoffice/card-attempts: card attempts whose outcome the acquirer never gave. Each keeps its payment
// frozen until an operator asks the acquirer again or records what the acquirer's registry shows.
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { commonTexts } from '../../lib/common.texts';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { formatDateTime } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { ItemList } from '../../lib/types';
import {
  EmptyState,
  ErrorAlert,
  Loading,
  Modal,
  RadioGroupField,
  SuccessNotice,
  TextAreaField,
  useDocumentTitle,
} from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { formatAmount } from '../operations/operation-format';
import { attemptTexts } from './card-attempts.texts';

interface AttemptForReview {
  attemptId: string;
  status: 'unknown' | 'processing';
  paymentId: string;
  invId: string;
  shopName: string;
  merchantLogin: string;
  amountMinor: string;
  currency: string;
  cardMask: string;
  acquirerReference: string | null;
  createdAt: string;
}

/** '149050' → '1490.50': minor units as the decimal string formatAmount groups. */
function minorToDecimal(minor: string): string {
  const padded = minor.padStart(3, '0');
  return `${padded.slice(0, -2)}.${padded.slice(-2)}`;
}

export function CardAttemptsPage() {
  const t = useTexts(attemptTexts);
  useDocumentTitle(t('title'));
  const { resource, setData } = useResource<ItemList<AttemptForReview>>('/api/backoffice/card-attempts');
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [resolving, setResolving] = useState<AttemptForReview | null>(null);
  const items = resource.status === 'ready' ? resource.data.items : [];

  function settled(attempt: AttemptForReview, message: string) {
    setData({ items: items.filter((item) => item.attemptId !== attempt.attemptId) });
    setNotice(message);
  }

  async function recheck(attempt: AttemptForReview) {
    setNotice(null);
    setFailure(null);
    try {
      const answer = await api.post<{ status: string }>(
        `/api/backoffice/card-attempts/${encodeURIComponent(attempt.attemptId)}/recheck`,
      );
      settled(attempt, t(answer.status === 'approved' ? 'recheck.approved' : 'recheck.declined'));
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t('intro')}</p>
      <SuccessNotice message={notice} />
      <ErrorAlert message={failure} />
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' &&
        (items.length === 0 ? (
          <EmptyState title={t('emptyTitle')}>
            <p>{t('emptyText')}</p>
          </EmptyState>
        ) : (
          <div className="card flush">
            <AttemptTable items={items} onRecheck={(item) => void recheck(item)} onResolve={setResolving} />
          </div>
        ))}
      <Modal open={resolving !== null} title={t('resolve.title')} onClose={() => setResolving(null)}>
        {resolving && (
          <ResolveForm
            attempt={resolving}
            onResolved={(outcome) => {
              settled(resolving, t(outcome === 'approved' ? 'resolved.approved' : 'resolved.declined'));
              setResolving(null);
            }}
            onCancel={() => setResolving(null)}
          />
        )}
      </Modal>
    </>
  );
}

interface AttemptTableProps {
  items: AttemptForReview[];
  onRecheck: (attempt: AttemptForReview) => void;
  onResolve: (attempt: AttemptForReview) => void;
}

function AttemptTable({ items, onRecheck, onResolve }: AttemptTableProps) {
  const t = useTexts(attemptTexts);
  const { language } = useLanguage();
  return (
    <table className="table responsive-table">
      <thead>
        <tr>
          <th scope="col">{t('column.started')}</th>
          <th scope="col">{t('column.shop')}</th>
          <th scope="col">{t('column.invId')}</th>
          <th scope="col" className="numeric">
            {t('column.amount')}
          </th>
          <th scope="col">{t('column.card')}</th>
          <th scope="col">{t('column.reference')}</th>
          <th scope="col">{t('column.actions')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((attempt) => (
          <tr key={attempt.attemptId}>
            <td data-label={t('column.started')}>{formatDateTime(attempt.createdAt, language)}</td>
            <td data-label={t('column.shop')}>
              {attempt.shopName} <code>{attempt.merchantLogin}</code>
            </td>
            <td data-label={t('column.invId')}>{attempt.invId}</td>
            <td data-label={t('column.amount')} className="numeric">
              {formatAmount(minorToDecimal(attempt.amountMinor), attempt.currency, language)}
            </td>
            <td data-label={t('column.card')}>
              <code>{attempt.cardMask}</code>
            </td>
            <td data-label={t('column.reference')}>
              {attempt.acquirerReference ? <code>{attempt.acquirerReference}</code> : t('noReference')}
            </td>
            <td data-label={t('column.actions')} className="row-actions">
              {attempt.acquirerReference && (
                <button type="button" className="button" onClick={() => onRecheck(attempt)}>
                  {t('recheck')}
                </button>
              )}
              <button type="button" className="button button-primary" onClick={() => onResolve(attempt)}>
                {t('resolve')}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface ResolveFormProps {
  attempt: AttemptForReview;
  onResolved: (outcome: 'approved' | 'declined') => void;
  onCancel: () => void;
}

function ResolveForm({ attempt, onResolved, onCancel }: ResolveFormProps) {
  const t = useTexts(attemptTexts);
  const c = useTexts(commonTexts);
  const [outcome, setOutcome] = useState<'approved' | 'declined'>('declined');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      await api.post(`/api/backoffice/card-attempts/${encodeURIComponent(attempt.attemptId)}/resolve`, {
        outcome,
        note: note.trim(),
      });
      onResolved(outcome);
    } catch (error) {
      setBusy(false);
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, [['note', 'resolve-note']]);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <p>{t('resolve.intro', { card: attempt.cardMask, invId: attempt.invId })}</p>
      <ErrorAlert message={failure} />
      <RadioGroupField
        id="resolve-outcome"
        name="outcome"
        label={t('resolve.outcome')}
        value={outcome}
        onChange={setOutcome}
        options={[
          { value: 'declined', label: t('resolve.declined') },
          { value: 'approved', label: t('resolve.approved') },
        ]}
      />
      <TextAreaField
        id="resolve-note"
        label={t('resolve.note')}
        hint={t('resolve.noteHint')}
        error={errors.note}
        value={note}
        onChange={(event) => setNote(event.target.value)}
        rows={3}
      />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
          {t('resolve.submit')}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {c('cancel')}
        </button>
      </div>
    </form>
  );
}
