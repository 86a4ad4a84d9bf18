// The bank details part of /cabinet/balance: where payouts go. Everyone with balance.read sees the saved
// details; those with balance.manage edit them in a form (the server checks BIK, accounts, INN and KPP).
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useLanguage, useTexts } from '../../lib/i18n';
import { ErrorAlert, Loading, SuccessNotice, TextField } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { hasPermission, useMe } from '../shell/session';
import { bankDetailsTexts } from './bank-details.texts';

export interface BankDetails {
  bik: string;
  settlementAccount: string;
  correspondentAccount: string;
  inn: string;
  kpp: string | null;
  recipientName: string;
  updatedAt: string;
}

interface BankDetailsAnswer {
  bankDetails: BankDetails | null;
}

type FieldName = 'recipientName' | 'bik' | 'settlementAccount' | 'correspondentAccount' | 'inn' | 'kpp';
type Values = Record<FieldName, string>;

// Form order; the server's field errors are keyed by the same names. maxLength mirrors the request schema's
// caps (the server's own checks, with their messages, are stricter).
const FIELDS: readonly { name: FieldName; numeric: boolean; maxLength: number }[] = [
  { name: 'recipientName', numeric: false, maxLength: 320 },
  { name: 'bik', numeric: true, maxLength: 32 },
  { name: 'settlementAccount', numeric: true, maxLength: 64 },
  { name: 'correspondentAccount', numeric: true, maxLength: 64 },
  { name: 'inn', numeric: true, maxLength: 32 },
  { name: 'kpp', numeric: false, maxLength: 32 },
];

const FIELD_ORDER = FIELDS.map(({ name }) => [name, `bank-${name}`] as const);

function valuesOf(details: BankDetails | null): Values {
  return {
    recipientName: details?.recipientName ?? '',
    bik: details?.bik ?? '',
    settlementAccount: details?.settlementAccount ?? '',
    correspondentAccount: details?.correspondentAccount ?? '',
    inn: details?.inn ?? '',
    kpp: details?.kpp ?? '',
  };
}

/** onSaved: for sections that depend on whether bank details exist (the payout schedule). */
export function BankDetailsSection({ onSaved }: { onSaved?: () => void } = {}) {
  const t = useTexts(bankDetailsTexts);
  const canManage = hasPermission(useMe(), 'balance.manage');
  const { resource, setData } = useResource<BankDetailsAnswer>('/api/cabinet/bank-details');
  const saved = (answer: BankDetailsAnswer) => {
    setData(answer);
    onSaved?.();
  };
  return (
    <section className="card" aria-labelledby="bank-details-title">
      <h2 id="bank-details-title">{t('title')}</h2>
      <p>{t('intro')}</p>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' &&
        (canManage ? (
          <BankDetailsForm details={resource.data.bankDetails} onSaved={saved} />
        ) : resource.data.bankDetails ? (
          <BankDetailsView details={resource.data.bankDetails} />
        ) : (
          <p>{t('empty')}</p>
        ))}
    </section>
  );
}

function UpdatedAt({ iso }: { iso: string }) {
  const t = useTexts(bankDetailsTexts);
  const { language } = useLanguage();
  return <p className="muted">{t('updated', { date: formatDateTime(iso, language) })}</p>;
}

function BankDetailsView({ details }: { details: BankDetails }) {
  const t = useTexts(bankDetailsTexts);
  return (
    <>
      <dl className="op-details">
        {FIELDS.map(({ name }) => (
          <div key={name}>
            <dt>{t(`${name}.label`)}</dt>
            <dd>{details[name] ?? t('value.none')}</dd>
          </div>
        ))}
      </dl>
      <UpdatedAt iso={details.updatedAt} />
    </>
  );
}

function BankDetailsForm({
  details,
  onSaved,
}: {
  details: BankDetails | null;
  onSaved: (answer: BankDetailsAnswer) => void;
}) {
  const t = useTexts(bankDetailsTexts);
  const [values, setValues] = useState<Values>(() => valuesOf(details));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function update(name: FieldName, value: string) {
    setValues((current) => ({ ...current, [name]: value }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setNotice(null);
    setBusy(true);
    try {
      const kpp = values.kpp.trim();
      const answer = await api.put<BankDetailsAnswer>('/api/cabinet/bank-details', {
        recipientName: values.recipientName,
        bik: values.bik,
        settlementAccount: values.settlementAccount,
        correspondentAccount: values.correspondentAccount,
        inn: values.inn,
        ...(kpp === '' ? {} : { kpp }),
      });
      setErrors({});
      // The server answers the details normalised (spaces dropped); show them as saved.
      setValues(valuesOf(answer.bankDetails));
      onSaved(answer);
      setNotice(t('saved'));
    } catch (error) {
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, FIELD_ORDER);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <ErrorAlert message={failure} />
      {FIELDS.map(({ name, numeric, maxLength }) => (
        <TextField
          key={name}
          id={`bank-${name}`}
          label={t(`${name}.label`)}
          hint={t(`${name}.hint`)}
          error={errors[name]}
          value={values[name]}
          maxLength={maxLength}
          autoComplete="off"
          spellCheck={false}
          {...(numeric ? { inputMode: 'numeric' as const } : {})}
          onChange={(event) => update(name, event.target.value)}
        />
      ))}
      {details && <UpdatedAt iso={details.updatedAt} />}
      <SuccessNotice message={notice} />
      <div className="actions">
        <button type="submit" className="button" disabled={busy} aria-busy={busy}>
          {busy ? t('saving') : t('submit')}
        </button>
      </div>
    </form>
  );
}
