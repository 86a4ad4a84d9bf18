// /backoffice/tariffs: the tariff schedule (default and per shop) with its history, scheduling and
// cancelling changes; promo codes with their usage, creation and deactivation.
import { useState, type FormEvent } from 'react';
import { api, errorMessage, fieldMessages } from '../../lib/api';
import { useLanguage, useTexts, type Translate } from '../../lib/i18n';
import type { Language } from '../../lib/types';
import {
  EmptyState,
  ErrorAlert,
  Loading,
  SelectField,
  SuccessNotice,
  TextField,
  useDocumentTitle,
} from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { tariffTexts } from './tariffs.texts';

type TariffStatus = 'current' | 'scheduled' | 'past' | 'cancelled';
interface TariffRow {
  id: string;
  shop: { id: string; name: string; merchantLogin: string; accountLogin: string } | null;
  methodGroup: string;
  percentBasisPoints: number;
  fixedMinor: string;
  minimumMinor: string;
  effectiveFrom: string;
  status: TariffStatus;
  accountsNotified: number;
  notifiedAt: string | null;
}
interface TariffList {
  items: TariffRow[];
  methodGroups: { code: string; description: { ru: string; en: string } }[];
  increaseNoticeDays: number;
}
type PromoStatus = 'active' | 'expired' | 'exhausted' | 'deactivated';
interface PromoRow {
  code: string;
  description: string;
  discountPercent: number;
  discountDays: number;
  validUntil: string | null;
  usageLimit: number | null;
  usageCount: number;
  status: PromoStatus;
}

type TextKey = keyof typeof tariffTexts.ru;

/** Starts are 00:00 Moscow time (the rule's zone), so they are shown in Moscow time wherever the operator is. */
function formatMoscowMoment(iso: string, language: Language): string {
  return new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
    dateStyle: 'short',
    timeStyle: 'short',
    timeZone: 'Europe/Moscow',
  }).format(new Date(iso));
}

/** Minor units as a decimal for people: '1050' → '10,50' (two decimals for every currency). */
function formatMinor(minor: string, language: Language): string {
  const padded = minor.padStart(3, '0');
  return `${padded.slice(0, -2)}${language === 'ru' ? ',' : '.'}${padded.slice(-2)}`;
}

function formatTerms(row: TariffRow, t: Translate<TextKey>, language: Language): string {
  const percent = (row.percentBasisPoints / 100).toLocaleString(language === 'ru' ? 'ru-RU' : 'en-GB');
  const parts = [`${percent}%`];
  if (row.fixedMinor !== '0') parts.push(t('terms.fixed', { amount: formatMinor(row.fixedMinor, language) }));
  if (row.minimumMinor !== '0')
    parts.push(t('terms.minimum', { amount: formatMinor(row.minimumMinor, language) }));
  return parts.join(' ');
}

export function TariffsPage() {
  const t = useTexts(tariffTexts);
  useDocumentTitle(t('title'));
  return (
    <>
      <h1>{t('title')}</h1>
      <TariffSection />
      <PromoSection />
    </>
  );
}

const EMPTY_TARIFF = {
  shop: '',
  methodGroup: 'BankCard',
  percent: '',
  fixed: '',
  minimum: '',
  effectiveFrom: '',
};

function TariffSection() {
  const t = useTexts(tariffTexts);
  const { language } = useLanguage();
  const [filter, setFilter] = useState('');
  const [applied, setApplied] = useState('');
  const path = `/api/backoffice/tariffs${applied ? `?shop=${encodeURIComponent(applied)}` : ''}`;
  const { resource, reload } = useResource<TariffList>(path);
  const [form, setForm] = useState(EMPTY_TARIFF);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  async function run(action: () => Promise<unknown>, success: string) {
    setIsBusy(true);
    setErrors({});
    setFailure(null);
    setNotice(null);
    try {
      await action();
      setNotice(success);
      reload();
      return true;
    } catch (error) {
      setErrors(fieldMessages(error));
      setFailure(errorMessage(error));
      return false;
    } finally {
      setIsBusy(false);
    }
  }

  async function schedule(event: FormEvent) {
    event.preventDefault();
    const done = await run(() => api.post('/api/backoffice/tariffs', form), t('scheduled'));
    if (done) setForm(EMPTY_TARIFF);
  }

  const text = (name: keyof typeof EMPTY_TARIFF) => ({
    value: form[name],
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [name]: event.target.value }),
  });
  const groups = resource.status === 'ready' ? resource.data.methodGroups : [];
  const groupName = (code: string) =>
    groups.find((group) => group.code === code)?.description[language] ?? code;
  return (
    <>
      {resource.status === 'ready' && (
        <p className="lead">{t('intro', { days: resource.data.increaseNoticeDays })}</p>
      )}
      <form className="card" onSubmit={(event) => void schedule(event)} aria-labelledby="tariff-form-title">
        <h2 id="tariff-form-title">{t('form.title')}</h2>
        <TextField
          id="tariff-shop"
          label={t('shop')}
          hint={t('shopHint')}
          error={errors.shop}
          {...text('shop')}
        />
        <SelectField
          id="tariff-method-group"
          label={t('methodGroup')}
          value={form.methodGroup}
          error={errors.methodGroup}
          options={groups.map((group) => ({ value: group.code, label: group.description[language] }))}
          onChange={(methodGroup) => setForm({ ...form, methodGroup })}
        />
        <div className="field-row">
          <TextField
            id="tariff-percent"
            label={t('percent')}
            hint={t('percentHint')}
            error={errors.percent}
            inputMode="decimal"
            {...text('percent')}
          />
          <TextField
            id="tariff-fixed"
            label={t('fixed')}
            hint={t('amountHint')}
            error={errors.fixed}
            inputMode="decimal"
            {...text('fixed')}
          />
          <TextField
            id="tariff-minimum"
            label={t('minimum')}
            hint={t('amountHint')}
            error={errors.minimum}
            inputMode="decimal"
            {...text('minimum')}
          />
        </div>
        <TextField
          id="tariff-effective-from"
          type="date"
          label={t('effectiveFrom')}
          hint={t('effectiveFromHint')}
          error={errors.effectiveFrom}
          {...text('effectiveFrom')}
        />
        {failure && Object.keys(errors).length === 0 && <ErrorAlert message={failure} />}
        <SuccessNotice message={notice} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={isBusy}>
            {t('schedule')}
          </button>
        </div>
      </form>
      <h2>{t('history.title')}</h2>
      <form
        className="field-row"
        onSubmit={(event) => {
          event.preventDefault();
          setApplied(filter.trim());
        }}
      >
        <TextField
          id="tariff-filter"
          className="grow"
          label={t('filter.label')}
          hint={t('filter.hint')}
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
        <div className="actions">
          <button type="submit" className="button">
            {t('filter.apply')}
          </button>
        </div>
      </form>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && resource.data.items.length === 0 && (
        <EmptyState title={t('history.empty')} />
      )}
      {resource.status === 'ready' && resource.data.items.length > 0 && (
        <div className="card flush table-scroll">
          <table className="table responsive-table">
            <thead>
              <tr>
                <th scope="col">{t('column.scope')}</th>
                <th scope="col">{t('column.group')}</th>
                <th scope="col">{t('column.terms')}</th>
                <th scope="col">{t('column.from')}</th>
                <th scope="col">{t('column.status')}</th>
                <th scope="col" className="numeric">
                  {t('column.notified')}
                </th>
                <th scope="col">{t('column.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {resource.data.items.map((row) => (
                <tr key={row.id}>
                  <td data-label={t('column.scope')}>
                    {row.shop ? (
                      <>
                        {row.shop.name} <span className="muted">· {row.shop.merchantLogin}</span>
                      </>
                    ) : (
                      t('default')
                    )}
                  </td>
                  <td data-label={t('column.group')}>{groupName(row.methodGroup)}</td>
                  <td data-label={t('column.terms')}>{formatTerms(row, t, language)}</td>
                  <td data-label={t('column.from')}>
                    {row.effectiveFrom.startsWith('1970-')
                      ? '—'
                      : t('moscowTime', { moment: formatMoscowMoment(row.effectiveFrom, language) })}
                  </td>
                  <td data-label={t('column.status')}>{t(`status.${row.status}`)}</td>
                  <td data-label={t('column.notified')} className="numeric">
                    {row.notifiedAt || row.accountsNotified > 0
                      ? t('notified', { count: row.accountsNotified })
                      : '—'}
                  </td>
                  <td data-label={t('column.actions')}>
                    {row.status === 'scheduled' && (
                      <button
                        type="button"
                        className="button button-quiet"
                        disabled={isBusy}
                        onClick={() =>
                          void run(() => api.post(`/api/backoffice/tariffs/${row.id}/cancel`), t('cancelled'))
                        }
                      >
                        {t('cancel')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

const EMPTY_PROMO = {
  code: '',
  description: '',
  discountPercent: '',
  discountDays: '',
  validUntil: '',
  usageLimit: '',
};

/** A whole number typed into a field; anything else goes as is so the server names the field. */
const wholeOrText = (text: string) => (/^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : text);

function PromoSection() {
  const t = useTexts(tariffTexts);
  const { language } = useLanguage();
  const { resource, reload } = useResource<{ items: PromoRow[] }>('/api/backoffice/promo-codes');
  const [form, setForm] = useState(EMPTY_PROMO);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  async function run(action: () => Promise<PromoRow>, success: (code: string) => string) {
    setIsBusy(true);
    setErrors({});
    setFailure(null);
    setNotice(null);
    try {
      const promo = await action();
      setNotice(success(promo.code));
      reload();
      return true;
    } catch (error) {
      setErrors(fieldMessages(error));
      setFailure(errorMessage(error));
      return false;
    } finally {
      setIsBusy(false);
    }
  }

  async function create(event: FormEvent) {
    event.preventDefault();
    const body = {
      code: form.code,
      description: form.description,
      discountPercent: wholeOrText(form.discountPercent),
      discountDays: wholeOrText(form.discountDays),
      validUntil: form.validUntil || null,
      usageLimit: form.usageLimit.trim() ? wholeOrText(form.usageLimit) : null,
    };
    const done = await run(
      () => api.post<PromoRow>('/api/backoffice/promo-codes', body),
      (code) => t('promo.created', { code }),
    );
    if (done) setForm(EMPTY_PROMO);
  }

  const text = (name: keyof typeof EMPTY_PROMO) => ({
    value: form[name],
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [name]: event.target.value }),
  });
  // validUntil is the moment the code stops: the next midnight after its last day.
  const lastDay = (until: string) =>
    new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
      dateStyle: 'medium',
      timeZone: 'Europe/Moscow',
    }).format(new Date(new Date(until).getTime() - 1));
  return (
    <>
      <h2>{t('promo.title')}</h2>
      <p className="lead">{t('promo.intro')}</p>
      <form className="card" onSubmit={(event) => void create(event)} aria-labelledby="promo-form-title">
        <h3 id="promo-form-title">{t('promo.form')}</h3>
        <div className="field-row">
          <TextField
            id="promo-code"
            label={t('promo.code')}
            hint={t('promo.codeHint')}
            error={errors.code}
            maxLength={32}
            {...text('code')}
          />
          <TextField
            id="promo-description"
            className="grow"
            label={t('promo.description')}
            error={errors.description}
            maxLength={500}
            {...text('description')}
          />
        </div>
        <div className="field-row">
          <TextField
            id="promo-discount-percent"
            label={t('promo.discountPercent')}
            error={errors.discountPercent}
            inputMode="numeric"
            {...text('discountPercent')}
          />
          <TextField
            id="promo-discount-days"
            label={t('promo.discountDays')}
            error={errors.discountDays}
            inputMode="numeric"
            {...text('discountDays')}
          />
          <TextField
            id="promo-valid-until"
            type="date"
            label={t('promo.validUntil')}
            hint={t('promo.validUntilHint')}
            error={errors.validUntil}
            {...text('validUntil')}
          />
          <TextField
            id="promo-usage-limit"
            label={t('promo.usageLimit')}
            hint={t('promo.usageLimitHint')}
            error={errors.usageLimit}
            inputMode="numeric"
            {...text('usageLimit')}
          />
        </div>
        {failure && Object.keys(errors).length === 0 && <ErrorAlert message={failure} />}
        <SuccessNotice message={notice} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={isBusy}>
            {t('promo.create')}
          </button>
        </div>
      </form>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && resource.data.items.length === 0 && (
        <EmptyState title={t('promo.empty')} />
      )}
      {resource.status === 'ready' && resource.data.items.length > 0 && (
        <div className="card flush table-scroll">
          <table className="table responsive-table">
            <thead>
              <tr>
                <th scope="col">{t('promo.code')}</th>
                <th scope="col">{t('promo.description')}</th>
                <th scope="col">{t('promo.discountPercent')}</th>
                <th scope="col">{t('promo.until')}</th>
                <th scope="col" className="numeric">
                  {t('promo.used')}
                </th>
                <th scope="col">{t('column.status')}</th>
                <th scope="col">{t('column.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {resource.data.items.map((promo) => (
                <tr key={promo.code}>
                  <td data-label={t('promo.code')}>
                    <code>{promo.code}</code>
                  </td>
                  <td data-label={t('promo.description')}>{promo.description}</td>
                  <td data-label={t('promo.discountPercent')}>
                    {t('promo.discount', { percent: promo.discountPercent, days: promo.discountDays })}
                  </td>
                  <td data-label={t('promo.until')}>
                    {promo.validUntil ? lastDay(promo.validUntil) : t('promo.forever')}
                  </td>
                  <td data-label={t('promo.used')} className="numeric">
                    {t('promo.usedValue', {
                      count: promo.usageCount,
                      limit: promo.usageLimit ?? t('promo.unlimited'),
                    })}
                  </td>
                  <td data-label={t('column.status')}>{t(`promo.status.${promo.status}`)}</td>
                  <td data-label={t('column.actions')}>
                    {promo.status !== 'deactivated' && (
                      <button
                        type="button"
                        className="button button-quiet"
                        disabled={isBusy}
                        onClick={() =>
                          void run(
                            () =>
                              api.post<PromoRow>(
                                `/api/backoffice/promo-codes/${encodeURIComponent(promo.code)}/deactivate`,
                              ),
                            (code) => t('promo.deactivated', { code }),
                          )
                        }
                      >
                        {t('promo.deactivate')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
