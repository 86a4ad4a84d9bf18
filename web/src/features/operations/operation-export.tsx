// Export of the current filter to CSV or XLSX: the server prepares the file in a job; the page shows its
// progress (asking once a second) and then a download link.
import { useEffect, useState } from 'react';
import { api, errorMessage } from '../../lib/api';
import { useTexts } from '../../lib/i18n';
import { ErrorAlert } from '../../lib/ui';
import { apiParams, type Filters } from './operation-filters';
import { operationTexts } from './operations.texts';

interface ExportView {
  id: string;
  format: 'csv' | 'xlsx';
  status: 'queued' | 'running' | 'done' | 'failed';
  rowsTotal: number | null;
  rowsWritten: number;
  error: string | null;
  fileName: string;
}

const POLL_MS = 1_000;

export function OperationExport({ filters }: { filters: Filters }) {
  const t = useTexts(operationTexts);
  const [view, setView] = useState<ExportView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isWorking = view !== null && (view.status === 'queued' || view.status === 'running');

  useEffect(() => {
    if (!view || !isWorking) return;
    const timer = setTimeout(() => {
      api
        .get<ExportView>(`/api/cabinet/operation-exports/${encodeURIComponent(view.id)}`)
        .then(setView, (failure: unknown) => setError(errorMessage(failure)));
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [view, isWorking]);

  async function start(format: ExportView['format']) {
    setError(null);
    try {
      setView(
        await api.post<ExportView>('/api/cabinet/operation-exports', { ...apiParams(filters), format }),
      );
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }

  return (
    <section className="op-export" aria-labelledby="operations-export-title">
      <h2 id="operations-export-title" className="op-toolbar-title">
        {t('export.title')}
      </h2>
      <div className="actions">
        <button type="button" className="button" disabled={isWorking} onClick={() => void start('csv')}>
          {t('export.csv')}
        </button>
        <button type="button" className="button" disabled={isWorking} onClick={() => void start('xlsx')}>
          {t('export.xlsx')}
        </button>
      </div>
      <p className="hint">{t('export.hint')}</p>
      <div role="status" aria-live="polite">
        {isWorking && (
          <>
            <p>
              {view.rowsTotal === null
                ? t('export.queued')
                : t('export.progress', { written: view.rowsWritten, total: view.rowsTotal })}
            </p>
            <progress
              max={view.rowsTotal ?? 1}
              value={view.rowsTotal === null ? undefined : view.rowsWritten}
            />
          </>
        )}
        {view?.status === 'done' && (
          <p>
            {t('export.ready', { rows: view.rowsWritten })}{' '}
            <a
              href={`/api/cabinet/operation-exports/${encodeURIComponent(view.id)}/download`}
              download={view.fileName}
            >
              {t('export.download', { file: view.fileName })}
            </a>
          </p>
        )}
      </div>
      {view?.status === 'failed' && <ErrorAlert message={t('export.failed', { error: view.error ?? '' })} />}
      <ErrorAlert message={error} />
    </section>
  );
}
