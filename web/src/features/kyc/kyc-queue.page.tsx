// /backoffice/kyc: submitted questionnaires; the moderator opens one, reads its fields and documents, and
// approves it or rejects it with a reason next to each field that needs fixing (the server tells the
// merchant in messages and by e-mail).
import { useState } from 'react';
import { api, errorMessage } from '../../lib/api';
import { defineTexts, useTexts } from '../../lib/i18n';
import type { ItemList } from '../../lib/types';
import { EmptyState, ErrorAlert, Loading, SuccessNotice, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';

interface QueueItem {
  accountId: string;
  accountLogin: string;
  legalForm: string;
  submittedAt: string | null;
}

interface Questionnaire {
  accountId: string;
  fieldNames: string[];
  fields: Record<string, string>;
  documents: { id: string; fileName: string }[];
}

export const kycQueueTexts = defineTexts({
  ru: {
    nav: 'Анкеты',
    title: 'Анкеты на модерации',
    loading: 'Загружаем анкеты…',
    empty: 'Анкет на модерации нет.',
    open: 'Открыть',
    documents: 'Документы',
    reasonFor: 'Замечание к полю «{field}»',
    general: 'Общее замечание',
    approve: 'Одобрить',
    reject: 'Отклонить с замечаниями',
    approved: 'Анкета {login} одобрена.',
    rejected: 'Анкета {login} возвращена на исправление.',
  },
  en: {
    nav: 'Questionnaires',
    title: 'Questionnaires under moderation',
    loading: 'Loading questionnaires…',
    empty: 'No questionnaires under moderation.',
    open: 'Open',
    documents: 'Documents',
    reasonFor: 'Remark on “{field}”',
    general: 'General remark',
    approve: 'Approve',
    reject: 'Reject with remarks',
    approved: 'The questionnaire of {login} is approved.',
    rejected: 'The questionnaire of {login} is returned for corrections.',
  },
});

export function KycQueuePage() {
  const t = useTexts(kycQueueTexts);
  useDocumentTitle(t('title'));
  const { resource, setData } = useResource<ItemList<QueueItem>>('/api/backoffice/kyc/questionnaires');
  const [open, setOpen] = useState<QueueItem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const items = resource.status === 'ready' ? resource.data.items : [];

  function decided(item: QueueItem, message: string) {
    setData({ items: items.filter((other) => other.accountId !== item.accountId) });
    setOpen(null);
    setNotice(message);
  }

  return (
    <>
      <h1>{t('title')}</h1>
      <SuccessNotice message={notice} />
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && items.length === 0 && <EmptyState title={t('empty')} />}
      <ul>
        {items.map((item) => (
          <li key={item.accountId}>
            {item.accountLogin} ({item.legalForm}){' '}
            <button type="button" className="button" onClick={() => setOpen(item)}>
              {t('open')}
            </button>
          </li>
        ))}
      </ul>
      {open && <Review key={open.accountId} item={open} onDecided={decided} />}
    </>
  );
}

function Review({
  item,
  onDecided,
}: {
  item: QueueItem;
  onDecided: (item: QueueItem, message: string) => void;
}) {
  const t = useTexts(kycQueueTexts);
  const base = `/api/backoffice/kyc/questionnaires/${encodeURIComponent(item.accountId)}`;
  const { resource } = useResource<Questionnaire>(base);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function decide(body: object, message: string) {
    setBusy(true);
    setFailure(null);
    try {
      await api.post(`${base}/decision`, body);
      onDecided(item, message);
    } catch (error) {
      setFailure(errorMessage(error));
      setBusy(false);
    }
  }

  if (resource.status === 'loading') return <Loading label={t('loading')} />;
  if (resource.status === 'failed') return <ErrorAlert message={resource.message} />;
  const questionnaire = resource.data;
  const reasonField = (name: string, label: string) => (
    <textarea
      aria-label={label}
      rows={1}
      value={reasons[name] ?? ''}
      onChange={(event) => setReasons((current) => ({ ...current, [name]: event.target.value }))}
    />
  );
  return (
    <section className="card" aria-label={item.accountLogin}>
      <h2>{item.accountLogin}</h2>
      <ErrorAlert message={failure} />
      <dl className="op-details">
        {questionnaire.fieldNames.map((name) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>
              {questionnaire.fields[name]}
              {reasonField(name, t('reasonFor', { field: name }))}
            </dd>
          </div>
        ))}
      </dl>
      <h3>{t('documents')}</h3>
      <ul>
        {questionnaire.documents.map((document) => (
          <li key={document.id}>
            <a href={`${base}/documents/${encodeURIComponent(document.id)}`}>{document.fileName}</a>
          </li>
        ))}
      </ul>
      {reasonField('documents', t('reasonFor', { field: t('documents') }))}
      {reasonField('general', t('general'))}
      <div className="actions">
        <button
          type="button"
          className="button button-primary"
          disabled={busy}
          onClick={() => void decide({ decision: 'approved' }, t('approved', { login: item.accountLogin }))}
        >
          {t('approve')}
        </button>
        <button
          type="button"
          className="button button-danger"
          disabled={busy}
          onClick={() =>
            void decide({ decision: 'rejected', reasons }, t('rejected', { login: item.accountLogin }))
          }
        >
          {t('reject')}
        </button>
      </div>
    </section>
  );
}
