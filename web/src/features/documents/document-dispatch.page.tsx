// /backoffice/documents: paper documents waiting to be posted; finance records the date and tracking number.
import { useState, type FormEvent } from 'react';
import { api, errorMessage, fieldMessages } from '../../lib/api';
import { useTexts } from '../../lib/i18n';
import { EmptyState, ErrorAlert, Loading, TextField, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { dispatchTexts } from './document-dispatch.texts';
import { documentsTexts } from './documents.texts';

interface AwaitingDocument {
  id: string;
  accountId: string;
  kind: 'agent_report' | 'act' | 'reconciliation' | 'invoice';
  number: string;
  periodStart: string;
}

export function DocumentDispatchPage() {
  const t = useTexts(dispatchTexts);
  const documents = useTexts(documentsTexts);
  useDocumentTitle(t('title'));
  const { resource, setData } = useResource<{ items: AwaitingDocument[] }>('/api/backoffice/documents');
  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t('intro')}</p>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && resource.data.items.length === 0 && <EmptyState title={t('empty')} />}
      {resource.status === 'ready' &&
        resource.data.items.map((item) => (
          <DispatchForm
            key={item.id}
            item={item}
            label={`${documents(`kind.${item.kind}`)} № ${item.number} · ${item.periodStart} · ${item.accountId}`}
            onDone={async () =>
              setData(await api.get<{ items: AwaitingDocument[] }>('/api/backoffice/documents'))
            }
          />
        ))}
    </>
  );
}

function DispatchForm({
  item,
  label,
  onDone,
}: {
  item: AwaitingDocument;
  label: string;
  onDone: () => Promise<void>;
}) {
  const t = useTexts(dispatchTexts);
  const [dispatchedOn, setDispatchedOn] = useState(new Date().toISOString().slice(0, 10));
  const [trackingNumber, setTrackingNumber] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setErrors({});
    setFailure(null);
    try {
      await api.post(`/api/backoffice/documents/${encodeURIComponent(item.id)}/dispatch`, {
        dispatchedOn,
        trackingNumber,
      });
      await onDone();
    } catch (error) {
      setErrors(fieldMessages(error));
      setFailure(errorMessage(error));
    }
  }

  return (
    <form className="card" onSubmit={(event) => void submit(event)} aria-label={label}>
      <h2>{label}</h2>
      <div className="field-row">
        <TextField
          id={`dispatch-date-${item.id}`}
          className="grow"
          type="date"
          label={t('date')}
          value={dispatchedOn}
          error={errors.dispatchedOn}
          onChange={(event) => setDispatchedOn(event.target.value)}
        />
        <TextField
          id={`dispatch-tracking-${item.id}`}
          className="grow"
          label={t('tracking')}
          value={trackingNumber}
          error={errors.trackingNumber}
          onChange={(event) => setTrackingNumber(event.target.value)}
        />
        <div className="field">
          <button type="submit" className="button primary align-end">
            {t('submit')}
          </button>
        </div>
      </div>
      {failure && Object.keys(errors).length === 0 && <ErrorAlert message={failure} />}
    </form>
  );
}
