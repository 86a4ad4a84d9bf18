// /backoffice/dashboard: volumes, success by method, ResultURL failures and the job queue over a window.
import { useSearchParams } from 'react-router-dom';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { Language } from '../../lib/types';
import { ErrorAlert, Loading, SelectField, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { formatPercent } from '../../lib/format';
import { formatAmount } from '../operations/operation-format';
import { platformTexts } from './platform.texts';

interface Dashboard {
  payments: { created: number; paid: number; turnover: { currency: string; amount: string }[] };
  methods: { method: string; paid: number; declined: number; successRate: number | null }[];
  notifications: {
    attempts: number;
    failedAttempts: number;
    failureRate: number | null;
    givenUp: number;
    pending: number;
  };
  queues: {
    queue: string;
    pending: number;
    running: number;
    oldestDueAgeSeconds: number;
    failedInWindow: number;
  }[];
}

const WINDOWS = ['1', '24', '168', '720'] as const;

/** "3 ч 20 мин" / "3 h 20 min": an age people read at a glance. */
function age(seconds: number, language: Language): string {
  if (seconds === 0) return '—';
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const [h, m, s] = language === 'ru' ? ['ч', 'мин', 'с'] : ['h', 'min', 's'];
  if (hours > 0) return `${hours} ${h} ${minutes} ${m}`;
  return minutes > 0 ? `${minutes} ${m}` : `${seconds} ${s}`;
}

export function PlatformDashboardPage() {
  const t = useTexts(platformTexts);
  const { language } = useLanguage();
  useDocumentTitle(t('dashboard.title'));
  const [params, setParams] = useSearchParams();
  const hours = WINDOWS.find((item) => item === params.get('hours')) ?? '24';
  const { resource } = useResource<Dashboard>(`/api/backoffice/dashboard?hours=${hours}`);
  return (
    <>
      <h1>{t('dashboard.title')}</h1>
      <p className="lead">{t('dashboard.intro')}</p>
      <div className="field-row">
        <SelectField
          id="dashboard-window"
          label={t('dashboard.window')}
          value={hours}
          options={WINDOWS.map((value) => ({ value, label: t(`window.${value}`) }))}
          onChange={(value) => setParams(new URLSearchParams({ hours: value }), { replace: true })}
        />
      </div>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && (
        <>
          <dl className="kpis">
            <div className="card kpi">
              <dt>{t('kpi.created')}</dt>
              <dd className="kpi-value">{resource.data.payments.created}</dd>
            </div>
            <div className="card kpi">
              <dt>{t('kpi.paid')}</dt>
              <dd className="kpi-value">{resource.data.payments.paid}</dd>
            </div>
            <div className="card kpi">
              <dt>{t('kpi.turnover')}</dt>
              {resource.data.payments.turnover.length === 0 && <dd className="kpi-value">0</dd>}
              {resource.data.payments.turnover.map((item) => (
                <dd key={item.currency} className="kpi-value">
                  {formatAmount(item.amount, item.currency, language)}
                </dd>
              ))}
            </div>
            <div className="card kpi">
              <dt>{t('kpi.resultUrl')}</dt>
              <dd className="kpi-value">
                {formatPercent(resource.data.notifications.failureRate, language)}
              </dd>
              <dd className="muted">
                {t('kpi.resultUrlDetail', {
                  failed: resource.data.notifications.failedAttempts,
                  attempts: resource.data.notifications.attempts,
                  givenUp: resource.data.notifications.givenUp,
                  pending: resource.data.notifications.pending,
                })}
              </dd>
            </div>
          </dl>
          <section className="card flush table-scroll" aria-labelledby="methods-title">
            <h2 id="methods-title" className="table-title">
              {t('methods.title')}
            </h2>
            {resource.data.methods.length === 0 ? (
              <p className="muted table-title">{t('methods.empty')}</p>
            ) : (
              <table className="table responsive-table">
                <thead>
                  <tr>
                    <th scope="col">{t('methods.method')}</th>
                    <th scope="col" className="numeric">
                      {t('methods.paid')}
                    </th>
                    <th scope="col" className="numeric">
                      {t('methods.declined')}
                    </th>
                    <th scope="col" className="numeric">
                      {t('methods.rate')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {resource.data.methods.map((row) => (
                    <tr key={row.method}>
                      <td data-label={t('methods.method')}>{row.method}</td>
                      <td data-label={t('methods.paid')} className="numeric">
                        {row.paid}
                      </td>
                      <td data-label={t('methods.declined')} className="numeric">
                        {row.declined}
                      </td>
                      <td data-label={t('methods.rate')} className="numeric">
                        {formatPercent(row.successRate, language)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section className="card flush table-scroll" aria-labelledby="queues-title">
            <h2 id="queues-title" className="table-title">
              {t('queues.title')}
            </h2>
            {resource.data.queues.length === 0 ? (
              <p className="muted table-title">{t('queues.empty')}</p>
            ) : (
              <table className="table responsive-table">
                <thead>
                  <tr>
                    <th scope="col">{t('queues.queue')}</th>
                    <th scope="col" className="numeric">
                      {t('queues.pending')}
                    </th>
                    <th scope="col" className="numeric">
                      {t('queues.running')}
                    </th>
                    <th scope="col" className="numeric">
                      {t('queues.age')}
                    </th>
                    <th scope="col" className="numeric">
                      {t('queues.failed')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {resource.data.queues.map((row) => (
                    <tr key={row.queue}>
                      <td data-label={t('queues.queue')}>
                        <code>{row.queue}</code>
                      </td>
                      <td data-label={t('queues.pending')} className="numeric">
                        {row.pending}
                      </td>
                      <td data-label={t('queues.running')} className="numeric">
                        {row.running}
                      </td>
                      <td data-label={t('queues.age')} className="numeric">
                        {age(row.oldestDueAgeSeconds, language)}
                      </td>
                      <td data-label={t('queues.failed')} className="numeric">
                        {row.failedInWindow}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </>
  );
}
