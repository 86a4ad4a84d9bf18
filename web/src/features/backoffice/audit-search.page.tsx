// /backoffice/audit: the whole platform's audit log, searchable, newest first, "show more" by cursor.
import { useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, errorMessage, fieldMessages } from '../../lib/api';
import { useLanguage, useTexts } from '../../lib/i18n';
import { EmptyState, ErrorAlert, Loading, TextField, useDocumentTitle } from '../../lib/ui';
import { formatShortMoment } from '../operations/operation-format';
import { platformTexts } from './platform.texts';

interface AuditItem {
  id: string;
  at: string;
  action: string;
  target: string | null;
  accountId: string | null;
  accountLogin: string | null;
  actorLogin: string | null;
  actorEmail: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}
interface AuditPage {
  items: AuditItem[];
  nextCursor: string | null;
}

const FIELDS = ['action', 'account', 'actor', 'q', 'from', 'to'] as const;
type Field = (typeof FIELDS)[number];

type State =
  | { status: 'loading' }
  | { status: 'failed'; message: string; fields: Record<string, string> }
  | { status: 'ready'; items: AuditItem[]; nextCursor: string | null };

export function AuditSearchPage() {
  const t = useTexts(platformTexts);
  const { language } = useLanguage();
  useDocumentTitle(t('audit.title'));
  const [params, setParams] = useSearchParams();
  const query = params.toString();
  const [draft, setDraft] = useState<Record<Field, string>>(
    () => Object.fromEntries(FIELDS.map((name) => [name, params.get(name) ?? ''])) as Record<Field, string>,
  );
  const [state, setState] = useState<State>({ status: 'loading' });

  useEffect(() => {
    let isCurrent = true;
    setState({ status: 'loading' });
    api.get<AuditPage>(`/api/backoffice/audit?${query}`).then(
      (page) => isCurrent && setState({ status: 'ready', ...page }),
      (error: unknown) =>
        isCurrent &&
        setState({ status: 'failed', message: errorMessage(error), fields: fieldMessages(error) }),
    );
    return () => {
      isCurrent = false;
    };
  }, [query]);

  async function loadMore(cursor: string) {
    const next = new URLSearchParams(params);
    next.set('before', cursor);
    try {
      const page = await api.get<AuditPage>(`/api/backoffice/audit?${next.toString()}`);
      setState((old) =>
        old.status === 'ready'
          ? { status: 'ready', items: [...old.items, ...page.items], nextCursor: page.nextCursor }
          : old,
      );
    } catch (error) {
      setState({ status: 'failed', message: errorMessage(error), fields: {} });
    }
  }

  function search(event: FormEvent) {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const name of FIELDS) if (draft[name].trim()) next.set(name, draft[name].trim());
    setParams(next, { replace: true });
  }

  const errors = state.status === 'failed' ? state.fields : {};
  const field = (name: Field, label: string, extra: Record<string, unknown> = {}) => (
    <TextField
      id={`audit-${name}`}
      className="grow"
      label={label}
      value={draft[name]}
      error={errors[name]}
      onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
      {...extra}
    />
  );
  return (
    <>
      <h1>{t('audit.title')}</h1>
      <p className="lead">{t('audit.intro')}</p>
      <form onSubmit={search} aria-label={t('audit.title')}>
        <div className="field-row">
          {field('action', t('audit.action'), { hint: t('audit.actionHint') })}
          {field('account', t('audit.account'))}
          {field('actor', t('audit.actor'))}
        </div>
        <div className="field-row">
          {field('q', t('audit.text'))}
          {field('from', t('audit.from'), { type: 'date' })}
          {field('to', t('audit.to'), { type: 'date' })}
          <div className="field">
            <button type="submit" className="button primary align-end">
              {t('audit.search')}
            </button>
          </div>
        </div>
      </form>
      {state.status === 'loading' && <Loading label={t('loading')} />}
      {state.status === 'failed' && <ErrorAlert message={state.message} />}
      {state.status === 'ready' && state.items.length === 0 && <EmptyState title={t('audit.empty')} />}
      {state.status === 'ready' && state.items.length > 0 && (
        <>
          <div className="card flush table-scroll">
            <table className="table responsive-table">
              <thead>
                <tr>
                  <th scope="col">{t('audit.at')}</th>
                  <th scope="col">{t('audit.action')}</th>
                  <th scope="col">{t('audit.who')}</th>
                  <th scope="col">{t('audit.where')}</th>
                  <th scope="col">{t('audit.target')}</th>
                  <th scope="col">{t('audit.ip')}</th>
                  <th scope="col">{t('audit.details')}</th>
                </tr>
              </thead>
              <tbody>
                {state.items.map((item) => (
                  <tr key={item.id}>
                    <td data-label={t('audit.at')}>{formatShortMoment(item.at, language)}</td>
                    <td data-label={t('audit.action')}>
                      <code>{item.action}</code>
                    </td>
                    <td data-label={t('audit.who')}>
                      {item.actorLogin ?? item.actorEmail ?? t('audit.system')}
                    </td>
                    <td data-label={t('audit.where')}>{item.accountLogin ?? item.accountId ?? '—'}</td>
                    <td data-label={t('audit.target')} className="break">
                      {item.target ?? '—'}
                    </td>
                    <td data-label={t('audit.ip')}>{item.ip ?? '—'}</td>
                    <td data-label={t('audit.details')} className="break">
                      <code>{Object.keys(item.details).length > 0 ? JSON.stringify(item.details) : '—'}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {state.nextCursor && (
            <div className="actions">
              <button type="button" className="button" onClick={() => void loadMore(state.nextCursor ?? '')}>
                {t('audit.more')}
              </button>
            </div>
          )}
        </>
      )}
    </>
  );
}
