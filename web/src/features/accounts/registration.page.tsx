/**
 * /reg: the registration form, then a "check your e-mail" screen. The server validates everything and
 * answers with localised field messages, so the form does no validation of its own and never loses
 * what the user typed.
 */
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { Country, Currency, DocumentFlow, LegalForm } from '../../lib/types';
import {
  CheckboxField,
  ErrorAlert,
  RadioGroupField,
  SelectField,
  SuccessNotice,
  TextField,
  useDocumentTitle,
} from '../../lib/ui';
import { registrationTexts } from './registration.texts';

interface RegistrationValues {
  country: Country;
  currency: Currency;
  documentFlow: DocumentFlow;
  legalForm: LegalForm;
  accountLogin: string;
  adminLogin: string;
  email: string;
  promoCode: string;
  requirementsAccepted: boolean;
}

const COUNTRY_CURRENCY: Record<Country, Currency> = { RU: 'RUB', KZ: 'KZT' };
const COUNTRIES: readonly Country[] = ['RU', 'KZ'];
const CURRENCIES: readonly Currency[] = ['RUB', 'KZT', 'USD', 'EUR'];
const DOCUMENT_FLOWS: readonly DocumentFlow[] = ['edo', 'paper'];
const LEGAL_FORMS: readonly LegalForm[] = ['legal_entity', 'sole_proprietor', 'individual'];

const INITIAL_VALUES: RegistrationValues = {
  country: 'RU',
  currency: 'RUB',
  documentFlow: 'edo',
  legalForm: 'legal_entity',
  accountLogin: '',
  adminLogin: 'admin',
  email: '',
  promoCode: '',
  requirementsAccepted: false,
};

export function RegistrationPage() {
  const t = useTexts(registrationTexts);
  useDocumentTitle(t('title'));
  const [sentTo, setSentTo] = useState<string | null>(null);
  return (
    <section className="card narrow">
      {sentTo ? <CheckEmail email={sentTo} /> : <RegistrationForm onRegistered={setSentTo} />}
    </section>
  );
}

function RegistrationForm({ onRegistered }: { onRegistered: (email: string) => void }) {
  const t = useTexts(registrationTexts);
  const { language } = useLanguage();
  const [values, setValues] = useState<RegistrationValues>(INITIAL_VALUES);
  // The currency follows the country until the user picks one on purpose.
  const [currencyChosen, setCurrencyChosen] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function update<K extends keyof RegistrationValues>(key: K, value: RegistrationValues[K]) {
    setValues((current) => ({ ...current, [key]: value }));
  }

  function changeCountry(country: Country) {
    setValues((current) => ({
      ...current,
      country,
      currency: currencyChosen ? current.currency : COUNTRY_CURRENCY[country],
    }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setSummary(null);
    const { promoCode, ...rest } = values;
    const body = { ...rest, language, ...(promoCode.trim() ? { promoCode: promoCode.trim() } : {}) };
    try {
      const created = await api.post<{ accountId: string; email: string }>(
        '/api/cabinet/registrations',
        body,
      );
      onRegistered(created.email);
    } catch (error) {
      setSummary(errorMessage(error));
      const order: [string, string][] = [
        ['country', 'reg-country'],
        ['currency', 'reg-currency'],
        ['documentFlow', `reg-documentFlow-${values.documentFlow}`],
        ['legalForm', `reg-legalForm-${values.legalForm}`],
        ['accountLogin', 'reg-accountLogin'],
        ['adminLogin', 'reg-adminLogin'],
        ['email', 'reg-email'],
        ['promoCode', 'reg-promoCode'],
        ['requirementsAccepted', 'reg-requirements'],
      ];
      if (error instanceof ApiError) showFieldErrors(error, setErrors, order);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <h1>{t('title')}</h1>
      <p className="lead">{t('intro')}</p>
      <ErrorAlert message={summary} />
      <SelectField
        id="reg-country"
        label={t('country.label')}
        hint={t('country.hint')}
        error={errors.country}
        value={values.country}
        options={COUNTRIES.map((value) => ({ value, label: t(`country.${value}`) }))}
        onChange={changeCountry}
      />
      <SelectField
        id="reg-currency"
        label={t('currency.label')}
        hint={t('currency.hint')}
        error={errors.currency}
        value={values.currency}
        options={CURRENCIES.map((value) => ({ value, label: t(`currency.${value}`) }))}
        onChange={(currency) => {
          setCurrencyChosen(true);
          update('currency', currency);
        }}
      />
      <RadioGroupField
        id="reg-documentFlow"
        name="documentFlow"
        label={t('documentFlow.label')}
        hint={t('documentFlow.hint')}
        error={errors.documentFlow}
        value={values.documentFlow}
        options={DOCUMENT_FLOWS.map((value) => ({ value, label: t(`documentFlow.${value}`) }))}
        onChange={(documentFlow) => update('documentFlow', documentFlow)}
      />
      <RadioGroupField
        id="reg-legalForm"
        name="legalForm"
        label={t('legalForm.label')}
        hint={t('legalForm.hint')}
        error={errors.legalForm}
        value={values.legalForm}
        options={LEGAL_FORMS.map((value) => ({ value, label: t(`legalForm.${value}`) }))}
        onChange={(legalForm) => update('legalForm', legalForm)}
      />
      <TextField
        id="reg-accountLogin"
        label={t('accountLogin.label')}
        hint={t('accountLogin.hint')}
        error={errors.accountLogin}
        value={values.accountLogin}
        onChange={(event) => update('accountLogin', event.target.value)}
        autoComplete="organization"
        autoCapitalize="none"
        spellCheck={false}
        maxLength={32}
      />
      <TextField
        id="reg-adminLogin"
        label={t('adminLogin.label')}
        hint={t('adminLogin.hint')}
        error={errors.adminLogin}
        value={values.adminLogin}
        onChange={(event) => update('adminLogin', event.target.value)}
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
      />
      <TextField
        id="reg-email"
        type="email"
        label={t('email.label')}
        hint={t('email.hint')}
        error={errors.email}
        value={values.email}
        onChange={(event) => update('email', event.target.value)}
        autoComplete="email"
      />
      <TextField
        id="reg-promoCode"
        label={t('promoCode.label')}
        hint={t('promoCode.hint')}
        error={errors.promoCode}
        value={values.promoCode}
        onChange={(event) => update('promoCode', event.target.value)}
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
      />
      <CheckboxField
        id="reg-requirements"
        label={
          <>
            {t('requirements.before')}
            <a href="/requirements" target="_blank" rel="noopener">
              {t('requirements.link')}
            </a>
          </>
        }
        hint={t('requirements.hint')}
        error={errors.requirementsAccepted}
        checked={values.requirementsAccepted}
        onChange={(checked) => update('requirementsAccepted', checked)}
      />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
          {busy ? t('submitting') : t('submit')}
        </button>
      </div>
      <p className="aside">
        {t('haveAccount')} <Link to="/login">{t('signIn')}</Link>
      </p>
    </form>
  );
}

function CheckEmail({ email }: { email: string }) {
  const t = useTexts(registrationTexts);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function resend() {
    setBusy(true);
    setNotice(null);
    setError(null);
    try {
      await api.post('/api/cabinet/registrations/resend', { email });
      setNotice(t('sent.resent'));
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div>
      <h1>{t('sent.title')}</h1>
      <p>{t('sent.text', { email })}</p>
      <p className="muted">{t('sent.spam')}</p>
      <SuccessNotice message={notice} />
      <ErrorAlert message={error} />
      <div className="actions">
        <button type="button" className="button" disabled={busy} onClick={() => void resend()}>
          {busy ? t('sent.resending') : t('sent.resend')}
        </button>
      </div>
    </div>
  );
}
