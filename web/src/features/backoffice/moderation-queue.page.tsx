// /backoffice: shops waiting for moderation, each activated or rejected with a reason.
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { commonTexts } from '../../lib/common.texts';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { formatDateTime } from '../../lib/format';
import { defineTexts, useLanguage, useTexts } from '../../lib/i18n';
import type { ItemList, ModerationShop } from '../../lib/types';
import {
  EmptyState,
  ErrorAlert,
  Loading,
  Modal,
  SuccessNotice,
  TextAreaField,
  useDocumentTitle,
} from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { backofficeTexts } from './backoffice.texts';

/** The site requirements as the server serves them: the one list behind the checklist and the message. */
interface SiteRequirement {
  key: string;
  text: { ru: string; en: string };
}

const checklistTexts = defineTexts({
  ru: {
    legend: 'Требования к сайту: отметьте выполненные',
    hint: 'Невыполненные требования попадут в сообщение магазину. Причину можно не писать, если отмечено, чего не хватает.',
  },
  en: {
    legend: 'Site requirements: tick those met',
    hint: 'Unmet requirements are listed in the message to the shop. The reason may stay empty when the checklist says what is missing.',
  },
});

export function ModerationQueuePage() {
  const t = useTexts(backofficeTexts);
  useDocumentTitle(t('queue'));
  const { resource, setData } = useResource<ItemList<ModerationShop>>(
    '/api/backoffice/shops?status=moderation',
  );
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState<ModerationShop | null>(null);
  const items = resource.status === 'ready' ? resource.data.items : [];

  function decided(shop: ModerationShop, message: string) {
    setData({ items: items.filter((item) => item.id !== shop.id) });
    setNotice(message);
  }

  async function activate(shop: ModerationShop) {
    setNotice(null);
    setFailure(null);
    try {
      await api.post(`/api/backoffice/shops/${encodeURIComponent(shop.id)}/activate`);
      decided(shop, t('activated', { name: shop.name }));
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <>
      <h1>{t('queue')}</h1>
      <p className="lead">
        {t('intro')}{' '}
        <a href="/requirements" target="_blank" rel="noopener">
          {t('requirements')}
        </a>
      </p>
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
            <QueueTable items={items} onActivate={(shop) => void activate(shop)} onReject={setRejecting} />
          </div>
        ))}
      <Modal
        open={rejecting !== null}
        title={rejecting ? t('reject.title', { name: rejecting.name }) : ''}
        onClose={() => setRejecting(null)}
      >
        {rejecting && (
          <RejectForm
            shop={rejecting}
            onRejected={() => {
              decided(rejecting, t('rejected', { name: rejecting.name }));
              setRejecting(null);
            }}
            onCancel={() => setRejecting(null)}
          />
        )}
      </Modal>
    </>
  );
}

interface QueueTableProps {
  items: ModerationShop[];
  onActivate: (shop: ModerationShop) => void;
  onReject: (shop: ModerationShop) => void;
}

function QueueTable({ items, onActivate, onReject }: QueueTableProps) {
  const t = useTexts(backofficeTexts);
  const { language } = useLanguage();
  return (
    <table className="table responsive-table">
      <thead>
        <tr>
          <th scope="col">{t('column.account')}</th>
          <th scope="col">{t('column.shop')}</th>
          <th scope="col">{t('column.site')}</th>
          <th scope="col">{t('column.merchantLogin')}</th>
          <th scope="col">{t('column.submitted')}</th>
          <th scope="col">{t('column.actions')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((shop) => (
          <tr key={shop.id}>
            <td data-label={t('column.account')}>{shop.accountLogin}</td>
            <td data-label={t('column.shop')}>{shop.name}</td>
            <td data-label={t('column.site')} className="break">
              {/* Only http(s) addresses become links, so a stored javascript: URL can never run. */}
              {/^https?:\/\//i.test(shop.siteUrl) ? (
                <a href={shop.siteUrl} target="_blank" rel="noopener noreferrer nofollow">
                  {shop.siteUrl}
                </a>
              ) : (
                shop.siteUrl
              )}
            </td>
            <td data-label={t('column.merchantLogin')}>
              <code>{shop.merchantLogin}</code>
            </td>
            <td data-label={t('column.submitted')}>
              {formatDateTime(shop.submittedAt ?? shop.createdAt, language)}
            </td>
            <td data-label={t('column.actions')} className="row-actions">
              <button
                type="button"
                className="button button-primary"
                aria-label={t('activate.label', { name: shop.name })}
                onClick={() => onActivate(shop)}
              >
                {t('activate')}
              </button>
              <button
                type="button"
                className="button button-danger"
                aria-label={t('reject.label', { name: shop.name })}
                onClick={() => onReject(shop)}
              >
                {t('reject')}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface RejectFormProps {
  shop: ModerationShop;
  onRejected: () => void;
  onCancel: () => void;
}

function RejectForm({ shop, onRejected, onCancel }: RejectFormProps) {
  const t = useTexts(backofficeTexts);
  const c = useTexts(commonTexts);
  const k = useTexts(checklistTexts);
  const { language } = useLanguage();
  const { resource: requirements } = useResource<ItemList<SiteRequirement>>(
    '/api/backoffice/site-requirements',
  );
  const requirementList = requirements.status === 'ready' ? requirements.data.items : [];
  const [met, setMet] = useState<ReadonlySet<string>>(new Set());
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      await api.post(`/api/backoffice/shops/${encodeURIComponent(shop.id)}/reject`, {
        reason: reason.trim(),
        unmetRequirements: requirementList.map((item) => item.key).filter((key) => !met.has(key)),
      });
      onRejected();
    } catch (error) {
      setBusy(false);
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, [['reason', 'reject-reason']]);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <ErrorAlert message={failure} />
      {requirements.status === 'failed' && <ErrorAlert message={requirements.message} />}
      <fieldset className="checklist">
        <legend>{k('legend')}</legend>
        <p className="hint">{k('hint')}</p>
        {requirementList.map((item) => (
          <label key={item.key} className="checkbox">
            <input
              type="checkbox"
              name={`requirement-${item.key}`}
              checked={met.has(item.key)}
              onChange={(event) => {
                const next = new Set(met);
                if (event.target.checked) next.add(item.key);
                else next.delete(item.key);
                setMet(next);
              }}
            />{' '}
            {item.text[language]}
          </label>
        ))}
      </fieldset>
      <TextAreaField
        id="reject-reason"
        label={t('reject.reason')}
        hint={t('reject.hint')}
        error={errors.reason}
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        rows={4}
        autoFocus
      />
      <div className="actions">
        <button type="submit" className="button button-danger" disabled={busy} aria-busy={busy}>
          {t('reject.submit')}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {c('cancel')}
        </button>
      </div>
    </form>
  );
}
