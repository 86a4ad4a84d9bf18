// /backoffice/deals: safe deals with an open dispute, oldest first. The operator reads the buyer's
// complaint and decides for the shop (release) or for the buyer (refund), with a note for the audit log.
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { commonTexts } from '../../lib/common.texts';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
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
import { formatAmount, formatShortMoment } from '../operations/operation-format';
import type { Deal } from './deal.types';
import { disputeTexts } from './deal-disputes.texts';
import './deals.css';

type Decision = 'seller' | 'buyer';

export function DealDisputesPage() {
  const t = useTexts(disputeTexts);
  useDocumentTitle(t('title'));
  const { resource, setData } = useResource<ItemList<Deal>>('/api/backoffice/deals?status=disputed');
  const [notice, setNotice] = useState<string | null>(null);
  const [deciding, setDeciding] = useState<Deal | null>(null);
  const items = resource.status === 'ready' ? resource.data.items : [];

  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t('intro')}</p>
      <SuccessNotice message={notice} />
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' &&
        (items.length === 0 ? (
          <EmptyState title={t('emptyTitle')}>
            <p>{t('emptyText')}</p>
          </EmptyState>
        ) : (
          <div className="card flush table-scroll">
            <DisputeTable items={items} onDecide={setDeciding} />
          </div>
        ))}
      <Modal open={deciding !== null} title={t('decide.title')} onClose={() => setDeciding(null)}>
        {deciding && (
          <DecisionForm
            deal={deciding}
            onDecided={(decision) => {
              setData({ items: items.filter((item) => item.id !== deciding.id) });
              setNotice(t(decision === 'seller' ? 'decided.seller' : 'decided.buyer'));
              setDeciding(null);
            }}
            onCancel={() => setDeciding(null)}
          />
        )}
      </Modal>
    </>
  );
}

function DisputeTable({ items, onDecide }: { items: Deal[]; onDecide: (deal: Deal) => void }) {
  const t = useTexts(disputeTexts);
  const { language } = useLanguage();
  return (
    <table className="table responsive-table deal-table">
      <thead>
        <tr>
          <th scope="col">{t('column.opened')}</th>
          <th scope="col">{t('column.shop')}</th>
          <th scope="col">{t('column.deal')}</th>
          <th scope="col">{t('column.amount')}</th>
          <th scope="col">{t('column.complaint')}</th>
          <th scope="col">{t('column.actions')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((deal) => (
          <tr key={deal.id}>
            <td data-label={t('column.opened')}>
              {deal.disputedAt ? formatShortMoment(deal.disputedAt, language) : ''}
            </td>
            <td data-label={t('column.shop')}>{deal.shopName}</td>
            <td data-label={t('column.deal')}>
              <span className="deal-description">{deal.description}</span>
              <span className="reason">{deal.buyerEmail}</span>
            </td>
            <td data-label={t('column.amount')} className="deal-sum">
              {formatAmount(deal.amount, deal.currency, language)}
            </td>
            <td data-label={t('column.complaint')} className="deal-dispute">
              {deal.disputeText}
            </td>
            <td data-label={t('column.actions')}>
              <button
                type="button"
                className="button button-primary"
                aria-label={t('decideFor', { description: deal.description })}
                onClick={() => onDecide(deal)}
              >
                {t('decide')}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface DecisionFormProps {
  deal: Deal;
  onDecided: (decision: Decision) => void;
  onCancel: () => void;
}

function DecisionForm({ deal, onDecided, onCancel }: DecisionFormProps) {
  const t = useTexts(disputeTexts);
  const c = useTexts(commonTexts);
  const { language } = useLanguage();
  const [decision, setDecision] = useState<Decision>('buyer');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      await api.post(`/api/backoffice/deals/${encodeURIComponent(deal.id)}/decide`, {
        decision,
        note: note.trim(),
      });
      onDecided(decision);
    } catch (error) {
      setBusy(false);
      const fields = showFieldErrors(error, setErrors, [['note', 'decide-note']]);
      if (Object.keys(fields).length === 0) setFailure(errorMessage(error));
    }
  }

  return (
    <form className="dispute-card" onSubmit={(event) => void submit(event)} noValidate>
      <p>
        {t('decide.intro', {
          description: deal.description,
          shop: deal.shopName,
          amount: formatAmount(deal.amount, deal.currency, language),
          email: deal.buyerEmail,
        })}
      </p>
      <ErrorAlert message={failure} />
      <RadioGroupField
        id="decide-decision"
        name="decision"
        label={t('decide.decision')}
        value={decision}
        options={[
          { value: 'buyer', label: t('decide.buyer') },
          { value: 'seller', label: t('decide.seller') },
        ]}
        onChange={setDecision}
      />
      <TextAreaField
        id="decide-note"
        label={t('decide.note')}
        hint={t('decide.noteHint')}
        rows={4}
        maxLength={2000}
        value={note}
        error={errors.note}
        onChange={(event) => setNote(event.target.value)}
      />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
          {t('decide.submit')}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          {c('cancel')}
        </button>
      </div>
    </form>
  );
}
