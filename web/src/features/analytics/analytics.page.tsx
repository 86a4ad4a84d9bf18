// /cabinet/analytics: turnover, payments, conversion, average payment and refunds for a period, by day,
// week or month, by shop and by method, each against the period just before (recharts for the charts).
import { useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api, errorMessage, fieldMessages } from '../../lib/api';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { ItemList, Language, Shop } from '../../lib/types';
import { ErrorAlert, Loading, SelectField, TextField, useDocumentTitle, type Option } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { formatPercent } from '../../lib/format';
import { methodGroupName } from '../../lib/payment-methods';
import { formatAmount } from '../operations/operation-format';
import { analyticsTexts } from './analytics.texts';

interface Figures {
  turnover: string;
  paidCount: number;
  createdCount: number;
  conversion: number | null;
  averagePayment: string | null;
  refunds: string;
  refundCount: number;
}
interface Point extends Figures {
  bucket: string;
}
interface Row extends Figures {
  key: string;
  name?: string;
}
interface OfflineFigures {
  sales: string;
  refunds: string;
  receiptCount: number;
  cash: string;
  electronic: string;
  averageReceipt: string | null;
}
interface Report {
  currency: string;
  offline: {
    totals: OfflineFigures;
    previousTotals: OfflineFigures;
    series: (OfflineFigures & { bucket: string })[];
  } | null;
  granularity: 'day' | 'week' | 'month';
  period: { from: string; to: string };
  previousPeriod: { from: string; to: string };
  totals: Figures;
  previousTotals: Figures;
  series: Point[];
  previousSeries: Point[];
  byShop: Row[];
  byMethod: Row[];
  byItem: ItemRow[];
}

interface ItemRow {
  name: string;
  online: string;
  offline: string;
  revenue: string;
  quantity: string;
}

const PRESETS = ['7', '30', '90', '365'] as const;
const CURRENT_COLOR = '#1565c0';
const PREVIOUS_COLOR = '#90a4ae';
const PAID_COLOR = '#2e7d32';
const OFFLINE_COLOR = '#ef6c00';

function formatDay(day: string, language: Language): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, date ?? 1)));
}

/** "+12.5 %" against the previous period; null when there is nothing to compare with. */
function change(current: number, previous: number, language: Language): string | null {
  if (previous === 0) return null;
  const ratio = (current - previous) / previous;
  const text = formatPercent(Math.abs(ratio), language);
  return ratio === 0 ? '0' : `${ratio > 0 ? '+' : '−'}${text}`;
}

type ReportState =
  | { status: 'loading' }
  | { status: 'failed'; message: string; fields: Record<string, string> }
  | { status: 'ready'; report: Report };

/** A preset ("days") becomes its dates; everything else passes as it is. */
function apiQuery(params: URLSearchParams): string {
  const query = new URLSearchParams(params);
  const days = Number(query.get('days'));
  query.delete('days');
  if (days > 0) {
    query.set('from', todayMinus(days - 1));
    query.set('to', todayMinus(0));
  }
  return query.toString();
}

/** The report for the address's query; a refused query keeps its field errors for the form. */
function useReport(query: string): ReportState {
  const [state, setState] = useState<ReportState>({ status: 'loading' });
  useEffect(() => {
    let isCurrent = true;
    setState({ status: 'loading' });
    api.get<Report>(`/api/cabinet/analytics${query ? `?${query}` : ''}`).then(
      (report) => isCurrent && setState({ status: 'ready', report }),
      (error: unknown) =>
        isCurrent &&
        setState({ status: 'failed', message: errorMessage(error), fields: fieldMessages(error) }),
    );
    return () => {
      isCurrent = false;
    };
  }, [query]);
  return state;
}

export function AnalyticsPage() {
  const t = useTexts(analyticsTexts);
  useDocumentTitle(t('title'));
  const [params, setParams] = useSearchParams();
  const query = params.toString();
  const resource = useReport(apiQuery(params));
  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t('intro')}</p>
      <AnalyticsFilters
        key={query}
        params={params}
        errors={resource.status === 'failed' ? resource.fields : {}}
        onChange={(next) => setParams(next, { replace: true })}
      />
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && <ReportView report={resource.report} />}
    </>
  );
}

function AnalyticsFilters({
  params,
  errors,
  onChange,
}: {
  params: URLSearchParams;
  errors: Record<string, string>;
  onChange: (next: URLSearchParams) => void;
}) {
  const t = useTexts(analyticsTexts);
  const { resource: shops } = useResource<ItemList<Shop>>('/api/cabinet/shops');
  const [from, setFrom] = useState(params.get('from') ?? '');
  const [to, setTo] = useState(params.get('to') ?? '');
  const preset = params.get('days') ?? (params.get('from') || errors.from || errors.to ? 'custom' : '30');

  function update(change: Record<string, string>) {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(change)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    onChange(next);
  }

  function choosePreset(value: string) {
    if (value === 'custom')
      return update({ days: '', from: from || todayMinus(29), to: to || todayMinus(0) });
    update({ days: value === '30' ? '' : value, from: todayMinus(Number(value) - 1), to: todayMinus(0) });
  }

  function applyDates(event: FormEvent) {
    event.preventDefault();
    update({ days: '', from, to });
  }

  const shopOptions: Option<string>[] = [
    { value: '', label: t('filter.shopAll') },
    ...(shops.status === 'ready'
      ? shops.data.items.map((shop) => ({ value: shop.id, label: shop.name }))
      : []),
  ];
  return (
    <form className="analytics-filters" onSubmit={applyDates} aria-label={t('filter.period')}>
      <div className="field-row">
        <SelectField
          id="analytics-period"
          className="grow"
          label={t('filter.period')}
          value={preset}
          options={[...PRESETS, 'custom'].map((value) => ({
            value,
            label: t(`period.${value}` as 'period.7'),
          }))}
          onChange={choosePreset}
        />
        <SelectField
          id="analytics-granularity"
          className="grow"
          label={t('filter.granularity')}
          value={params.get('granularity') ?? ''}
          options={[
            { value: '', label: t('granularity.auto') },
            { value: 'day', label: t('granularity.day') },
            { value: 'week', label: t('granularity.week') },
            { value: 'month', label: t('granularity.month') },
          ]}
          onChange={(granularity) => update({ granularity })}
        />
        <SelectField
          id="analytics-shop"
          className="grow"
          label={t('filter.shop')}
          value={params.get('shopId') ?? ''}
          options={shopOptions}
          onChange={(shopId) => update({ shopId })}
        />
      </div>
      {preset === 'custom' && (
        <div className="field-row">
          <TextField
            id="analytics-from"
            className="grow"
            type="date"
            label={t('filter.from')}
            value={from}
            error={errors.from}
            onChange={(event) => setFrom(event.target.value)}
          />
          <TextField
            id="analytics-to"
            className="grow"
            type="date"
            label={t('filter.to')}
            value={to}
            error={errors.to}
            onChange={(event) => setTo(event.target.value)}
          />
          <div className="field">
            <button type="submit" className="button primary align-end">
              {t('filter.apply')}
            </button>
          </div>
        </div>
      )}
    </form>
  );
}

/** A Moscow calendar day N days before today, as YYYY-MM-DD (Moscow is UTC+3 all year). */
function todayMinus(days: number): string {
  return new Date(Date.now() + 3 * 3_600_000 - days * 86_400_000).toISOString().slice(0, 10);
}

function ReportView({ report }: { report: Report }) {
  const t = useTexts(analyticsTexts);
  const { language } = useLanguage();
  const money = (amount: string | null) =>
    amount === null ? '—' : formatAmount(amount, report.currency, language);
  const chartData = report.series.map((point, index) => ({
    label: formatDay(point.bucket, language),
    current: Number(point.turnover),
    previous: Number(report.previousSeries[index]?.turnover ?? 0),
    created: point.createdCount,
    paid: point.paidCount,
    offline: report.offline ? Number(report.offline.series[index]?.sales ?? 0) : undefined,
  }));
  const offline = report.offline;
  const totals = report.totals;
  const previous = report.previousTotals;
  return (
    <>
      <p className="muted">
        {t('range', {
          from: formatDay(report.period.from, language),
          to: formatDay(report.period.to, language),
          previousFrom: formatDay(report.previousPeriod.from, language),
          previousTo: formatDay(report.previousPeriod.to, language),
        })}
      </p>
      <dl className="kpis">
        <Kpi
          label={t('kpi.turnover')}
          value={money(totals.turnover)}
          was={money(previous.turnover)}
          change={change(Number(totals.turnover), Number(previous.turnover), language)}
        />
        <Kpi
          label={t('kpi.paid')}
          value={String(totals.paidCount)}
          was={String(previous.paidCount)}
          change={change(totals.paidCount, previous.paidCount, language)}
        />
        <Kpi
          label={t('kpi.conversion')}
          title={t('kpi.conversionHint')}
          value={formatPercent(totals.conversion, language)}
          was={formatPercent(previous.conversion, language)}
          change={null}
        />
        <Kpi
          label={t('kpi.average')}
          value={money(totals.averagePayment)}
          was={money(previous.averagePayment)}
          change={change(Number(totals.averagePayment ?? 0), Number(previous.averagePayment ?? 0), language)}
        />
        <Kpi
          label={t('kpi.refunds')}
          value={`${money(totals.refunds)} · ${totals.refundCount}`}
          was={money(previous.refunds)}
          change={change(Number(totals.refunds), Number(previous.refunds), language)}
        />
        {offline && (
          <Kpi
            isWide
            label={t('kpi.offline')}
            title={t('kpi.offlineHint')}
            value={`${formatAmount(offline.totals.sales, 'RUB', language)} · ${offline.totals.receiptCount}`}
            was={formatAmount(offline.previousTotals.sales, 'RUB', language)}
            change={change(Number(offline.totals.sales), Number(offline.previousTotals.sales), language)}
            detail={t('kpi.offlineDetail', {
              cash: formatAmount(offline.totals.cash, 'RUB', language),
              card: formatAmount(offline.totals.electronic, 'RUB', language),
              average: offline.totals.averageReceipt
                ? formatAmount(offline.totals.averageReceipt, 'RUB', language)
                : '—',
            })}
          />
        )}
      </dl>
      <div className="analytics-charts">
        <figure className="card chart">
          <figcaption>{t('chart.turnover')}</figcaption>
          <ResponsiveContainer width="100%" height={260}>
            <LineChart data={chartData} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="label" />
              <YAxis width={72} />
              <Tooltip formatter={(value) => money(Number(value).toFixed(2))} />
              <Legend />
              <Line
                type="monotone"
                dataKey="current"
                name={t('chart.turnoverCurrent')}
                stroke={CURRENT_COLOR}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
              <Line
                type="monotone"
                dataKey="previous"
                name={t('chart.turnoverPrevious')}
                stroke={PREVIOUS_COLOR}
                strokeDasharray="5 4"
                dot={false}
                isAnimationActive={false}
              />
              {offline && (
                <Line
                  type="monotone"
                  dataKey="offline"
                  name={t('chart.offline')}
                  stroke={OFFLINE_COLOR}
                  strokeWidth={2}
                  dot={false}
                  isAnimationActive={false}
                />
              )}
            </LineChart>
          </ResponsiveContainer>
        </figure>
        <figure className="card chart">
          <figcaption>{t('chart.payments')}</figcaption>
          <ResponsiveContainer width="100%" height={260}>
            <BarChart data={chartData} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="label" />
              <YAxis width={48} allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Bar
                dataKey="created"
                name={t('chart.created')}
                fill={PREVIOUS_COLOR}
                isAnimationActive={false}
              />
              <Bar dataKey="paid" name={t('chart.paidSeries')} fill={PAID_COLOR} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </figure>
      </div>
      <BreakdownTable
        title={t('table.byShop')}
        keyLabel={t('column.shop')}
        rows={report.byShop}
        money={money}
      />
      <BreakdownTable
        title={t('table.byMethod')}
        keyLabel={t('column.method')}
        rows={report.byMethod.map((row) => ({
          ...row,
          name: row.key === '' ? t('method.none') : methodGroupName(row.key, language),
        }))}
        money={money}
      />
      <ItemTable rows={report.byItem} />
      {!offline && <p className="hint">{t('offline')}</p>}
    </>
  );
}

function Kpi(props: {
  label: string;
  value: string;
  was: string;
  change: string | null;
  title?: string;
  detail?: string;
  isWide?: boolean;
}) {
  const t = useTexts(analyticsTexts);
  return (
    <div className={props.isWide ? 'card kpi kpi-wide' : 'card kpi'} title={props.title}>
      <dt>{props.label}</dt>
      <dd className="kpi-value">{props.value}</dd>
      <dd className="muted">
        {props.change && (
          <span className={props.change.startsWith('−') ? 'kpi-down' : 'kpi-up'}>{props.change} </span>
        )}
        {t('kpi.previous', { value: props.was })}
      </dd>
      {props.detail && <dd className="muted">{props.detail}</dd>}
    </div>
  );
}

/** Revenue by item: online from payments' Receipts, offline from register imports with lines. */
function ItemTable({ rows }: { rows: ItemRow[] }) {
  const t = useTexts(analyticsTexts);
  const { language } = useLanguage();
  if (rows.length === 0) return null;
  const money = (amount: string) => formatAmount(amount, 'RUB', language);
  const columns = ['item.online', 'item.offline', 'item.revenue', 'item.quantity'] as const;
  return (
    <section className="analytics-table">
      <h2>{t('table.byItem')}</h2>
      <div className="card flush table-scroll">
        <table className="table responsive-table">
          <thead>
            <tr>
              <th scope="col">{t('item.name')}</th>
              {columns.map((column) => (
                <th key={column} scope="col" className="numeric">
                  {t(column)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.name}>
                <td data-label={t('item.name')}>{row.name}</td>
                <td data-label={t('item.online')} className="numeric">
                  {money(row.online)}
                </td>
                <td data-label={t('item.offline')} className="numeric">
                  {money(row.offline)}
                </td>
                <td data-label={t('item.revenue')} className="numeric">
                  {money(row.revenue)}
                </td>
                <td data-label={t('item.quantity')} className="numeric">
                  {row.quantity}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function BreakdownTable({
  title,
  keyLabel,
  rows,
  money,
}: {
  title: string;
  keyLabel: string;
  rows: Row[];
  money: (amount: string | null) => string;
}) {
  const t = useTexts(analyticsTexts);
  const { language } = useLanguage();
  if (rows.length === 0) return null;
  return (
    <section className="analytics-table">
      <h2>{title}</h2>
      <div className="card flush table-scroll">
        <table className="table responsive-table">
          <thead>
            <tr>
              <th scope="col">{keyLabel}</th>
              <th scope="col" className="numeric">
                {t('column.turnover')}
              </th>
              <th scope="col" className="numeric">
                {t('column.paid')}
              </th>
              <th scope="col" className="numeric">
                {t('column.conversion')}
              </th>
              <th scope="col" className="numeric">
                {t('column.average')}
              </th>
              <th scope="col" className="numeric">
                {t('column.refunds')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <td data-label={keyLabel}>{row.name ?? row.key}</td>
                <td data-label={t('column.turnover')} className="numeric">
                  {money(row.turnover)}
                </td>
                <td data-label={t('column.paid')} className="numeric">
                  {row.paidCount}
                </td>
                <td data-label={t('column.conversion')} className="numeric">
                  {formatPercent(row.conversion, language)}
                </td>
                <td data-label={t('column.average')} className="numeric">
                  {money(row.averagePayment)}
                </td>
                <td data-label={t('column.refunds')} className="numeric">
                  {money(row.refunds)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
