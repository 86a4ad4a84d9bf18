// Scheduled payouts on /cabinet/balance: for each shop, its schedule (off, daily, or weekly, at a time in
// Moscow time), its minimum, the next scheduled payout and what the last run did. Administrators edit
// them; everyone who sees the balance sees them.
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { Language } from '../../lib/types';
import {
  ErrorAlert,
  Loading,
  RadioGroupField,
  SelectField,
  SuccessNotice,
  TextField,
  type Option,
} from '../../lib/ui';
import type { Resource } from '../../lib/use-resource';
import { formatAmount } from '../operations/operation-format';
import { hasPermission, useMe } from '../shell/session';
import type { PayoutFrequency, PayoutSettings, ScheduledRun, ShopPayoutSettings } from './balance.types';
import { payoutScheduleTexts } from './payout-schedule.texts';

const FREQUENCIES: readonly PayoutFrequency[] = ['off', 'daily', 'weekly'];
const WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;
type Weekday = (typeof WEEKDAYS)[number];

/** Schedules run in Moscow time, whatever the browser's zone, so their dates are shown in it too. */
function formatMoscowMoment(iso: string, language: Language): string {
  return new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
    timeZone: 'Europe/Moscow',
    weekday: 'short',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

export function PayoutScheduleSection({
  resource,
  onSaved,
}: {
  resource: Resource<PayoutSettings>;
  onSaved: (settings: PayoutSettings) => void;
}) {
  const t = useTexts(payoutScheduleTexts);
  const { language } = useLanguage();
  const canManage = hasPermission(useMe(), 'balance.manage');
  if (resource.status === 'ready' && resource.data.shops.length === 0) return null;
  return (
    <section className="card balance-schedule" aria-labelledby="payout-schedule-title">
      <h2 id="payout-schedule-title">{t('title')}</h2>
      <p>{t('intro')}</p>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && (
        <>
          <p className="muted">
            {t('platformMinimum', {
              amount: formatAmount(resource.data.platformMinimum, resource.data.currency, language),
            })}
          </p>
          {!resource.data.hasBankDetails && <p className="info">{t('noBankDetails')}</p>}
          {resource.data.shops.map((shop) => (
            <ShopSchedule
              key={shop.shopId}
              shop={shop}
              settings={resource.data}
              canManage={canManage}
              onSaved={onSaved}
            />
          ))}
        </>
      )}
    </section>
  );
}

function ShopSchedule({
  shop,
  settings,
  canManage,
  onSaved,
}: {
  shop: ShopPayoutSettings;
  settings: PayoutSettings;
  canManage: boolean;
  onSaved: (settings: PayoutSettings) => void;
}) {
  const headingId = `payout-schedule-${shop.shopId}`;
  return (
    <section className="subsection" aria-labelledby={headingId}>
      <h3 id={headingId}>{shop.shopName}</h3>
      <ScheduleSummary shop={shop} currency={settings.currency} />
      {canManage && <ScheduleForm shop={shop} settings={settings} onSaved={onSaved} />}
    </section>
  );
}

function ScheduleSummary({ shop, currency }: { shop: ShopPayoutSettings; currency: string }) {
  const t = useTexts(payoutScheduleTexts);
  const { language } = useLanguage();
  const schedule =
    shop.frequency === 'daily'
      ? t('summary.schedule.daily', { time: shop.time })
      : shop.frequency === 'weekly'
        ? t('summary.schedule.weekly', { weekday: t(`weekday.${weekdayOf(shop.weekday)}`), time: shop.time })
        : t('summary.off');
  const next =
    shop.nextRunAt === null
      ? null
      : new Date(shop.nextRunAt).getTime() <= Date.now()
        ? t('summary.nextSoon')
        : t('summary.next', { date: formatMoscowMoment(shop.nextRunAt, language) });
  return (
    <ul className="balance-schedule-summary">
      <li>{schedule}</li>
      {next && <li className="balance-schedule-next">{next}</li>}
      <li>
        {t('summary.effectiveMinimum', { amount: formatAmount(shop.effectiveMinimum, currency, language) })}
      </li>
      {shop.lastRun && (
        <li className="muted">
          <LastRun run={shop.lastRun} currency={currency} />
        </li>
      )}
    </ul>
  );
}

function LastRun({ run, currency }: { run: ScheduledRun; currency: string }) {
  const t = useTexts(payoutScheduleTexts);
  const { language } = useLanguage();
  return (
    <>
      {t(`last.${run.outcome}`, {
        date: formatMoscowMoment(run.slotAt, language),
        amount: formatAmount(run.available, currency, language),
        minimum: formatAmount(run.minimum, currency, language),
      })}
    </>
  );
}

function weekdayOf(weekday: number | null): Weekday {
  return WEEKDAYS.find((item) => item === String(weekday)) ?? '1';
}

interface ScheduleValues {
  frequency: PayoutFrequency;
  weekday: Weekday;
  time: string;
  minimum: string;
}

function valuesOf(shop: ShopPayoutSettings): ScheduleValues {
  return {
    frequency: shop.frequency,
    weekday: weekdayOf(shop.weekday),
    time: shop.time,
    minimum: shop.minimum ?? '',
  };
}

function ScheduleForm({
  shop,
  settings,
  onSaved,
}: {
  shop: ShopPayoutSettings;
  settings: PayoutSettings;
  onSaved: (settings: PayoutSettings) => void;
}) {
  const t = useTexts(payoutScheduleTexts);
  const { language } = useLanguage();
  const [values, setValues] = useState<ScheduleValues>(() => valuesOf(shop));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [isSaving, setIsSaving] = useState(false);
  const id = (field: string) => `schedule-${shop.shopId}-${field}`;
  const fieldOrder = [
    ['frequency', id(`frequency-${values.frequency}`)],
    ['weekday', id('weekday')],
    ['time', id('time')],
    ['minimum', id('minimum')],
  ] as const;

  const isOff = values.frequency === 'off';

  function update(change: Partial<ScheduleValues>) {
    setValues((current) => ({ ...current, ...change }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setNotice(null);
    setIsSaving(true);
    try {
      const answer = await api.put<PayoutSettings>(`/api/cabinet/payout-settings/${shop.shopId}`, {
        frequency: values.frequency,
        weekday: Number(values.weekday),
        // A schedule that is off keeps its stored time; an emptied, disabled field must not block saving.
        ...(isOff ? {} : { time: values.time.trim() }),
        minimum: values.minimum.trim().replace(',', '.'),
      });
      setErrors({});
      onSaved(answer);
      setNotice(t('saved'));
    } catch (error) {
      const fields = showFieldErrors(error, setErrors, fieldOrder);
      // A field error speaks for itself next to its field; anything else needs the banner.
      setFailure(Object.keys(fields).length > 0 ? null : errorMessage(error));
    } finally {
      setIsSaving(false);
    }
  }

  const frequencyOptions: Option<PayoutFrequency>[] = FREQUENCIES.map((value) => ({
    value,
    label: t(`frequency.${value}`),
  }));
  const weekdayOptions: Option<Weekday>[] = WEEKDAYS.map((value) => ({
    value,
    label: t(`weekday.${value}`),
  }));
  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <ErrorAlert message={failure} />
      <RadioGroupField
        id={id('frequency')}
        name={id('frequency')}
        label={t('frequency.label')}
        value={values.frequency}
        options={frequencyOptions}
        error={errors.frequency}
        onChange={(frequency) => update({ frequency })}
      />
      <div className="field-row">
        {values.frequency === 'weekly' && (
          <SelectField
            id={id('weekday')}
            label={t('weekday.label')}
            value={values.weekday}
            options={weekdayOptions}
            error={errors.weekday}
            onChange={(weekday) => update({ weekday })}
          />
        )}
        <TextField
          id={id('time')}
          // Text, not type="time": the browser would show 12-hour time in some locales, while schedules
          // and their summaries speak 24-hour Moscow time.
          inputMode="numeric"
          placeholder="10:00"
          maxLength={5}
          autoComplete="off"
          label={t('time.label')}
          hint={t('time.hint')}
          value={values.time}
          error={errors.time}
          disabled={isOff}
          onChange={(event) => update({ time: event.target.value })}
        />
        <TextField
          id={id('minimum')}
          label={t('minimum.label')}
          hint={t('minimum.hint', {
            amount: formatAmount(settings.platformMinimum, settings.currency, language),
          })}
          inputMode="decimal"
          placeholder={settings.platformMinimum}
          maxLength={32}
          value={values.minimum}
          error={errors.minimum}
          onChange={(event) => update({ minimum: event.target.value })}
        />
      </div>
      <SuccessNotice message={notice} />
      <div className="actions">
        <button type="submit" className="button" disabled={isSaving} aria-busy={isSaving}>
          {isSaving ? t('saving') : t('submit')}
        </button>
      </div>
    </form>
  );
}
