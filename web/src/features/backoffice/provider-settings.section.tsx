// The "Providers" section of /backoffice/methods: every method provider with its state (on, or off since
// when, by whom and why) and, for the chosen one (?provider=<name>), its settings page: sandbox or live,
// the method kinds it serves, the callback URL to give it, and the switch with a required reason.
// Every operator may look; only administrators (backoffice.methods) may switch, and the server checks.
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, errorMessage, fieldMessages } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { useLanguage, useTexts, type Translate } from '../../lib/i18n';
import type { Language } from '../../lib/types';
import { ErrorAlert, Loading, SuccessNotice, TextAreaField } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { hasPermission, useMe } from '../shell/session';
import { methodTexts } from './methods.texts';

type Text = Translate<keyof typeof methodTexts.ru>;
type MethodKind =
  'bank_card' | 'sbp' | 'e_wallet' | 'internet_bank' | 'cash_terminal' | 'mobile_app' | 'phone_balance';

export interface ProviderSettings {
  name: string;
  isSandbox: boolean;
  kinds: MethodKind[];
  methods: { label: string; alias: string; name: { ru: string; en: string } }[];
  callbackUrl: string;
  isEnabled: boolean;
  reason: string | null;
  changedAt: string | null;
  changedBy: { id: string; login: string } | null;
}

const REASON_MAX_LENGTH = 500;

function ModeBadge({ isSandbox, t }: { isSandbox: boolean; t: Text }) {
  return (
    <span className={`badge ${isSandbox ? 'badge-sandbox' : 'badge-active'}`}>
      {isSandbox ? t('sandbox') : t('live')}
    </span>
  );
}

function StateText({ provider, t, language }: { provider: ProviderSettings; t: Text; language: Language }) {
  return (
    <>
      <span className={`badge ${provider.isEnabled ? 'badge-active' : 'badge-rejected'}`}>
        {provider.isEnabled ? t('providers.on') : t('providers.off')}
      </span>{' '}
      {provider.changedAt
        ? t('providers.since', { at: formatDateTime(provider.changedAt, language) })
        : t('providers.byDefault')}
    </>
  );
}

function methodNames(provider: ProviderSettings, t: Text, language: Language): string {
  if (provider.methods.length === 0) return t('providers.noMethods');
  return provider.methods.map((method) => `${method.name[language]} (${method.label})`).join(', ');
}

export function ProviderSettingsSection() {
  const t = useTexts(methodTexts);
  const { language } = useLanguage();
  const [params, setParams] = useSearchParams();
  const chosen = params.get('provider') ?? '';
  const { resource, reload } = useResource<{ items: ProviderSettings[] }>(
    '/api/backoffice/methods/providers',
  );

  function choose(name: string) {
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (name === '') next.delete('provider');
      else next.set('provider', name);
      return next;
    });
  }

  return (
    <section className="card" aria-labelledby="provider-settings-title">
      <h2 id="provider-settings-title">{t('providers.title')}</h2>
      <p className="muted">{t('providers.intro')}</p>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && (
        <table className="table responsive-table">
          <thead>
            <tr>
              <th scope="col">{t('column.provider')}</th>
              <th scope="col">{t('providers.column.methods')}</th>
              <th scope="col">{t('providers.column.state')}</th>
              <th scope="col">{t('providers.column.reason')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('providers.open')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {resource.data.items.map((provider) => (
              <tr key={provider.name}>
                <td data-label={t('column.provider')}>
                  <code>{provider.name}</code> <ModeBadge isSandbox={provider.isSandbox} t={t} />
                </td>
                <td data-label={t('providers.column.methods')}>{methodNames(provider, t, language)}</td>
                <td data-label={t('providers.column.state')}>
                  <StateText provider={provider} t={t} language={language} />
                </td>
                <td data-label={t('providers.column.reason')}>{provider.reason ?? '—'}</td>
                <td>
                  <button
                    type="button"
                    className="button button-quiet"
                    aria-label={`${t('providers.open')}: ${provider.name}`}
                    onClick={() => choose(provider.name)}
                  >
                    {t('providers.open')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {chosen !== '' && (
        <ProviderSettingsPanel key={chosen} name={chosen} onChanged={reload} onClose={() => choose('')} />
      )}
    </section>
  );
}

function ProviderSettingsPanel({
  name,
  onChanged,
  onClose,
}: {
  name: string;
  onChanged: () => void;
  onClose: () => void;
}) {
  const t = useTexts(methodTexts);
  const { language } = useLanguage();
  const canChange = hasPermission(useMe(), 'backoffice.methods');
  const { resource, setData } = useResource<ProviderSettings>(
    `/api/backoffice/methods/providers/${encodeURIComponent(name)}`,
  );

  if (resource.status === 'loading') return <Loading label={t('loading')} />;
  if (resource.status === 'failed') return <ErrorAlert message={resource.message} />;
  const provider = resource.data;

  return (
    <div className="provider-settings" aria-labelledby="provider-settings-panel-title" role="region">
      <h3 id="provider-settings-panel-title">{t('provider.title', { name: provider.name })}</h3>
      <dl className="op-details">
        <div>
          <dt>{t('provider.mode')}</dt>
          <dd>
            <ModeBadge isSandbox={provider.isSandbox} t={t} />
          </dd>
        </div>
        <div>
          <dt>{t('provider.kinds')}</dt>
          <dd>{provider.kinds.map((kind) => t(`kind.${kind}`)).join(', ')}</dd>
        </div>
        <div>
          <dt>{t('provider.methods')}</dt>
          <dd>{methodNames(provider, t, language)}</dd>
        </div>
        <div>
          <dt>{t('provider.callbackUrl')}</dt>
          <dd>
            <code>{provider.callbackUrl}</code>
            <div className="hint">{t('provider.callbackHint')}</div>
          </dd>
        </div>
        <div>
          <dt>{t('provider.state')}</dt>
          <dd>
            <StateText provider={provider} t={t} language={language} />
          </dd>
        </div>
        <div>
          <dt>{t('provider.changedBy')}</dt>
          <dd>{provider.changedBy?.login ?? t('provider.never')}</dd>
        </div>
        <div>
          <dt>{t('provider.reason')}</dt>
          <dd>{provider.reason ?? t('provider.never')}</dd>
        </div>
      </dl>
      {canChange ? (
        <SwitchForm
          provider={provider}
          onSwitched={(view) => {
            setData(view);
            onChanged();
          }}
        />
      ) : (
        <p className="muted">{t('provider.readOnly')}</p>
      )}
      <div className="actions">
        <button type="button" className="button button-quiet" onClick={onClose}>
          {t('provider.close')}
        </button>
      </div>
    </div>
  );
}

function SwitchForm({
  provider,
  onSwitched,
}: {
  provider: ProviderSettings;
  onSwitched: (view: ProviderSettings) => void;
}) {
  const t = useTexts(methodTexts);
  const [reason, setReason] = useState('');
  const [isBusy, setIsBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const turnOn = !provider.isEnabled;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setIsBusy(true);
    setFailure(null);
    setFieldErrors({});
    setNotice(null);
    try {
      const view = await api.put<ProviderSettings>(
        `/api/backoffice/methods/providers/${encodeURIComponent(provider.name)}`,
        { isEnabled: turnOn, reason },
      );
      setReason('');
      setNotice(view.isEnabled ? t('provider.switchedOn') : t('provider.switchedOff'));
      onSwitched(view);
    } catch (error) {
      setFieldErrors(fieldMessages(error));
      setFailure(errorMessage(error));
    } finally {
      setIsBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <SuccessNotice message={notice} />
      <ErrorAlert message={failure} />
      <TextAreaField
        id="provider-switch-reason"
        label={t('provider.reasonLabel')}
        hint={t('provider.reasonHint')}
        rows={3}
        required
        maxLength={REASON_MAX_LENGTH}
        value={reason}
        error={fieldErrors.reason}
        onChange={(event) => setReason(event.target.value)}
      />
      <div className="actions">
        <button
          type="submit"
          className={`button ${turnOn ? 'button-primary' : 'button-danger'}`}
          disabled={isBusy}
          aria-busy={isBusy}
        >
          {turnOn ? t('provider.switchOn') : t('provider.switchOff')}
        </button>
      </div>
    </form>
  );
}
