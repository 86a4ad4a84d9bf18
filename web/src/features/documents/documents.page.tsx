// /cabinet/documents: the account's closing documents with their delivery statuses, downloads, and a
// form to issue the set for any period (the server queues the job and answers 202).
import { useState, type FormEvent } from 'react';
import { api, errorMessage, fieldMessages } from '../../lib/api';
import { useTexts } from '../../lib/i18n';
import { ErrorAlert, Loading, TextField, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { documentsTexts } from './documents.texts';

type Kind = 'agent_report' | 'act' | 'reconciliation' | 'invoice';
interface ClosingDocument {
  id: string;
  kind: Kind;
  number: string;
  periodStart: string;
  periodEnd: string;
  status: 'sent' | 'awaiting_dispatch' | 'dispatched';
  hasXlsx: boolean;
  dispatchedAt: string | null;
  trackingNumber: string | null;
}

/** '2026-10-31' → '31.10.2026'. */
function day(isoDate: string): string {
  const [year, month, date] = isoDate.split('-');
  return `${date}.${month}.${year}`;
}

function lastMonth(): { start: string; end: string } {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
}

export function DocumentsPage() {
  const t = useTexts(documentsTexts);
  useDocumentTitle(t('title'));
  const { resource, reload } = useResource<{ items: ClosingDocument[] }>('/api/cabinet/documents');
  return (
    <section>
      <h1>{t('title')}</h1>
      <p className="lead">{t('intro')}</p>
      <PeriodForm onRequested={reload} />
      <div className="actions">
        <button type="button" className="button" onClick={reload}>
          {t('refresh')}
        </button>
      </div>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && <DocumentTable documents={resource.data.items} />}
    </section>
  );
}

function PeriodForm({ onRequested }: { onRequested: () => void }) {
  const t = useTexts(documentsTexts);
  const [period, setPeriod] = useState(lastMonth);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFields({});
    setError(null);
    setNotice(null);
    try {
      await api.post('/api/cabinet/documents', { periodStart: period.start, periodEnd: period.end });
      setNotice(t('form.requested', { start: day(period.start), end: day(period.end) }));
      onRequested();
    } catch (failure) {
      setFields(fieldMessages(failure));
      setError(errorMessage(failure));
    }
  }

  return (
    <form className="card" onSubmit={submit} noValidate>
      <h2>{t('form.title')}</h2>
      <ErrorAlert message={error} />
      <div className="field-row">
        <TextField
          id="document-period-start"
          type="date"
          label={t('form.start')}
          value={period.start}
          error={fields.periodStart}
          onChange={(event) => setPeriod({ ...period, start: event.target.value })}
        />
        <TextField
          id="document-period-end"
          type="date"
          label={t('form.end')}
          value={period.end}
          error={fields.periodEnd}
          onChange={(event) => setPeriod({ ...period, end: event.target.value })}
        />
      </div>
      <button type="submit" className="button button-primary">
        {t('form.submit')}
      </button>
      {notice && (
        <p className="muted" role="status">
          {notice}
        </p>
      )}
    </form>
  );
}

function DocumentTable({ documents }: { documents: ClosingDocument[] }) {
  const t = useTexts(documentsTexts);
  if (documents.length === 0) return <p className="card">{t('empty')}</p>;
  return (
    <div className="card flush table-scroll">
      <table className="table responsive-table">
        <thead>
          <tr>
            <th scope="col">{t('column.document')}</th>
            <th scope="col">{t('column.period')}</th>
            <th scope="col">{t('column.status')}</th>
            <th scope="col">{t('column.files')}</th>
          </tr>
        </thead>
        <tbody>
          {documents.map((document) => (
            <tr key={document.id}>
              <td>
                {t(`kind.${document.kind}`)} {t('number', { number: document.number })}
              </td>
              <td>
                {day(document.periodStart)} — {day(document.periodEnd)}
              </td>
              <td>
                {document.status === 'dispatched'
                  ? t('status.dispatched', {
                      date: day(document.dispatchedAt ?? ''),
                      tracking: document.trackingNumber ?? '',
                    })
                  : t(`status.${document.status}`)}
              </td>
              <td>
                <a href={`/api/cabinet/documents/${document.id}/file.pdf`} download>
                  {t('download.pdf')}
                </a>
                {document.hasXlsx && (
                  <>
                    {' · '}
                    <a href={`/api/cabinet/documents/${document.id}/file.xlsx`} download>
                      {t('download.xlsx')}
                    </a>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
