/**
 * "Данные ваших касс АТОЛ" on a shop's page: how many receipts of the shop's own registers were imported
 * for analytics, the secret callback address (made or replaced here, shown once), and uploading a CSV or
 * JSON export; a refused file lists every bad line.
 */
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import { ErrorAlert, Loading, SuccessNotice, TextField } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { hasPermission, useMe } from '../shell/session';
import { fiscalTexts } from './fiscal.texts';

interface ImportState {
  shopId: string;
  hasCallbackUrl: boolean;
  callbackUrlCreatedAt: string | null;
  importedCount: number;
  lastReceiptAt: string | null;
}

interface LineProblem {
  line: number;
  field: string | null;
  ru: string;
  en: string;
}

export function RegisterImportSection({ shopId }: { shopId: string }) {
  const t = useTexts(fiscalTexts);
  const { language } = useLanguage();
  const path = `/api/cabinet/shops/${encodeURIComponent(shopId)}/fiscal-import`;
  const { resource, setData } = useResource<ImportState>(path);
  const canWrite = hasPermission(useMe(), 'shops.write');
  // Read anew without a loading state, so the forms below keep what they show (the address, a notice).
  const refresh = () => void api.get<ImportState>(path).then(setData, () => undefined);
  return (
    <section className="card" aria-labelledby="register-import-title">
      <h2 id="register-import-title">{t('import.title')}</h2>
      <p className="muted">{t('import.intro')}</p>
      {resource.status === 'loading' && <Loading label={t('import.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && (
        <>
          <p>
            {t('import.count', { count: resource.data.importedCount })}{' '}
            {resource.data.lastReceiptAt &&
              t('import.last', { date: formatDateTime(resource.data.lastReceiptAt, language) })}
          </p>
          <CallbackUrl path={path} state={resource.data} canWrite={canWrite} onMade={refresh} />
          {canWrite && <FileUpload path={path} onImported={refresh} />}
        </>
      )}
    </section>
  );
}

interface CallbackUrlProps {
  path: string;
  state: ImportState;
  canWrite: boolean;
  onMade: () => void;
}

function CallbackUrl({ path, state, canWrite, onMade }: CallbackUrlProps) {
  const t = useTexts(fiscalTexts);
  const { language } = useLanguage();
  const [url, setUrl] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function make() {
    setBusy(true);
    setFailure(null);
    try {
      setUrl((await api.post<{ url: string }>(`${path}/callback-url`)).url);
      onMade();
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  const madeAt = state.callbackUrlCreatedAt;
  return (
    <div>
      {url ? (
        <>
          <TextField id="import-callback-url" label={t('import.url.label')} value={url} readOnly />
          <p className="info">{t('import.url.note')}</p>
        </>
      ) : (
        <p>
          {madeAt ? t('import.url.exists', { date: formatDateTime(madeAt, language) }) : t('import.url.none')}
        </p>
      )}
      <ErrorAlert message={failure} />
      {canWrite && (
        <div className="actions">
          <button type="button" className="button" disabled={busy} onClick={() => void make()}>
            {state.hasCallbackUrl ? t('import.url.replace') : t('import.url.create')}
          </button>
        </div>
      )}
    </div>
  );
}

function FileUpload({ path, onImported }: { path: string; onImported: () => void }) {
  const t = useTexts(fiscalTexts);
  const { language } = useLanguage();
  const [file, setFile] = useState<File | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [lines, setLines] = useState<LineProblem[]>([]);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    setFailure(null);
    setLines([]);
    if (!file) return setFailure(t('import.file.choose'));
    setBusy(true);
    try {
      const format = /\.json$/i.test(file.name) ? 'json' : 'csv';
      const result = await api.post<{ imported: number; duplicates: number }>(`${path}/files`, {
        format,
        content: await file.text(),
      });
      setNotice(t('import.file.done', result));
      onImported();
    } catch (error) {
      setFailure(errorMessage(error));
      if (error instanceof ApiError && Array.isArray(error.extra.lines))
        setLines(error.extra.lines as LineProblem[]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor="import-file">{t('import.file.label')}</label>
        <input
          id="import-file"
          type="file"
          accept=".csv,.json,text/csv,application/json"
          aria-describedby="import-file-hint"
          onChange={(event) => setFile(event.target.files?.[0] ?? null)}
        />
        <div id="import-file-hint" className="hint">
          {t('import.file.hint')}
        </div>
      </div>
      <ErrorAlert message={failure} />
      <SuccessNotice message={notice} />
      {lines.length > 0 && (
        <table className="table">
          <caption>{t('import.lines.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('import.lines.line')}</th>
              <th scope="col">{t('import.lines.field')}</th>
              <th scope="col">{t('import.lines.problem')}</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((problem, index) => (
              <tr key={`${problem.line}-${problem.field ?? ''}-${index}`}>
                <td>{problem.line === 0 ? t('import.lines.whole') : problem.line}</td>
                <td>{problem.field ? <code>{problem.field}</code> : ''}</td>
                <td>{problem[language]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
          {busy ? t('import.file.busy') : t('import.file.submit')}
        </button>
      </div>
    </form>
  );
}
