/**
 * A shop's fiscal settings: off, or its own ATOL Online account. The password is write-only: the server
 * says only whether one is stored, and an empty field keeps it. Outside production the form offers the
 * ATOL sandbox's public test data.
 */
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useTexts } from '../../lib/i18n';
import { ErrorAlert, Loading, RadioGroupField, SelectField, SuccessNotice, TextField } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { hasPermission, useMe } from '../shell/session';
import { fiscalTexts } from './fiscal.texts';
import { SNO_VALUES, type FiscalProvider, type FiscalSettings, type Sno } from './fiscal.types';

interface Form {
  provider: FiscalProvider;
  baseUrl: string;
  login: string;
  password: string;
  groupCode: string;
  companyInn: string;
  paymentAddress: string;
  sno: Sno;
  companyEmail: string;
}

type TextName = 'baseUrl' | 'login' | 'groupCode' | 'companyInn' | 'paymentAddress' | 'companyEmail';
const TEXT_FIELDS: readonly TextName[] = [
  'baseUrl',
  'login',
  'groupCode',
  'companyInn',
  'paymentAddress',
  'companyEmail',
];
const FIELD_ORDER: [string, string][] = [
  ['provider', 'fiscal-provider-none'],
  ...TEXT_FIELDS.map((name): [string, string] => [name, `fiscal-${name}`]),
  ['password', 'fiscal-password'],
  ['sno', 'fiscal-sno'],
];

function formOf(settings: FiscalSettings): Form {
  return {
    provider: settings.provider,
    baseUrl: settings.baseUrl,
    login: settings.login ?? '',
    password: '',
    groupCode: settings.groupCode ?? '',
    companyInn: settings.companyInn ?? '',
    paymentAddress: settings.paymentAddress ?? '',
    sno: settings.sno ?? 'osn',
    companyEmail: settings.companyEmail ?? '',
  };
}

/** The PUT body: empty texts as null; the password only when one was typed (absent keeps it). */
function bodyOf(form: Form): Record<string, unknown> {
  const text = (value: string) => (value.trim() === '' ? null : value.trim());
  return {
    provider: form.provider,
    ...Object.fromEntries(TEXT_FIELDS.map((name) => [name, text(form[name])])),
    sno: form.sno,
    ...(form.password === '' ? {} : { password: form.password }),
  };
}

export function FiscalSettingsSection({ shopId }: { shopId: string }) {
  const t = useTexts(fiscalTexts);
  const path = `/api/cabinet/shops/${encodeURIComponent(shopId)}/fiscal-settings`;
  const { resource, setData } = useResource<FiscalSettings>(path);
  return (
    <section className="card" aria-labelledby="fiscal-title">
      <h2 id="fiscal-title">{t('settings.title')}</h2>
      <p className="muted">{t('settings.intro')}</p>
      {resource.status === 'loading' && <Loading label={t('settings.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && (
        <FiscalSettingsForm path={path} settings={resource.data} onSaved={setData} />
      )}
    </section>
  );
}

interface FormProps {
  path: string;
  settings: FiscalSettings;
  onSaved: (settings: FiscalSettings) => void;
}

function FiscalSettingsForm({ path, settings, onSaved }: FormProps) {
  const t = useTexts(fiscalTexts);
  const canWrite = hasPermission(useMe(), 'shops.write');
  const [form, setForm] = useState(() => formOf(settings));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function update<K extends keyof Form>(key: K, value: Form[K]) {
    setForm((current) => ({ ...current, [key]: value }));
  }

  function fillSandbox() {
    if (!settings.sandbox) return;
    setForm((current) => ({ ...current, provider: 'atol', ...settings.sandbox }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    setFailure(null);
    setBusy(true);
    try {
      const saved = await api.put<FiscalSettings>(path, bodyOf(form));
      setErrors({});
      // The typed password is sealed now: the field empties, and the hint says one is stored.
      setForm(formOf(saved));
      onSaved(saved);
      setNotice(t('save.done'));
    } catch (error) {
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, FIELD_ORDER);
    } finally {
      setBusy(false);
    }
  }

  const isAtol = form.provider === 'atol';
  return (
    <form onSubmit={submit} noValidate>
      {!canWrite && <p className="info">{t('settings.readOnly')}</p>}
      <ErrorAlert message={failure} />
      <fieldset className="plain" disabled={!canWrite}>
        <RadioGroupField
          id="fiscal-provider"
          name="fiscal-provider"
          label={t('provider.label')}
          error={errors.provider}
          value={form.provider}
          options={[
            { value: 'none', label: t('provider.none') },
            { value: 'atol', label: t('provider.atol') },
          ]}
          onChange={(value) => update('provider', value)}
        />
        {isAtol && settings.sandbox && (
          <p>
            <button type="button" className="button" onClick={fillSandbox}>
              {t('sandbox.fill')}
            </button>{' '}
            <span className="muted">{t('sandbox.note')}</span>
          </p>
        )}
        {isAtol && (
          <>
            {TEXT_FIELDS.map((name) => (
              <TextField
                key={name}
                id={`fiscal-${name}`}
                label={t(`${name}.label`)}
                hint={name === 'baseUrl' || name === 'paymentAddress' ? t(`${name}.hint`) : undefined}
                error={errors[name]}
                value={form[name]}
                type={name === 'companyEmail' ? 'email' : name === 'baseUrl' ? 'url' : 'text'}
                autoComplete="off"
                onChange={(event) => update(name, event.target.value)}
              />
            ))}
            <TextField
              id="fiscal-password"
              type="password"
              autoComplete="new-password"
              label={t('password.label')}
              hint={settings.hasPassword ? t('password.keep') : t('password.none')}
              error={errors.password}
              value={form.password}
              onChange={(event) => update('password', event.target.value)}
            />
            <SelectField
              id="fiscal-sno"
              label={t('sno.label')}
              error={errors.sno}
              value={form.sno}
              options={SNO_VALUES.map((value) => ({ value, label: t(`sno.${value}`) }))}
              onChange={(value) => update('sno', value)}
            />
          </>
        )}
      </fieldset>
      <SuccessNotice message={notice} />
      {canWrite && (
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
            {busy ? t('save.saving') : t('save.submit')}
          </button>
          {settings.provider === 'atol' && settings.hasPassword && <CheckConnection path={path} />}
        </div>
      )}
    </form>
  );
}

/** One getToken call with the saved credentials; says whether the service accepted them. */
function CheckConnection({ path }: { path: string }) {
  const t = useTexts(fiscalTexts);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  async function check() {
    setBusy(true);
    setResult(null);
    try {
      const answer = await api.post<{ ok: boolean; problem: string | null }>(`${path}/check`);
      setResult(
        answer.ok
          ? { ok: true, text: t('check.ok') }
          : { ok: false, text: t('check.failed', { problem: answer.problem ?? '' }) },
      );
    } catch (error) {
      setResult({ ok: false, text: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" className="button" disabled={busy} aria-busy={busy} onClick={() => void check()}>
        {busy ? t('check.busy') : t('check.submit')}
      </button>
      <SuccessNotice message={result?.ok ? result.text : null} />
      <ErrorAlert message={result && !result.ok ? result.text : null} />
    </>
  );
}
