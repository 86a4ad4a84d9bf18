// /backoffice/methods: provider health per method (24 h or 7 days), the providers with their settings
// (provider-settings.section.tsx, ?provider=<name>), the method catalogue with the provider of each
// method, and one shop's switches (?shop=<id> opens a shop directly). Every operator may look; only
// administrators (backoffice.methods) may switch, and the server checks that anyway.
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { formatPercent } from '../../lib/format';
import { useLanguage, useTexts, type Translate } from '../../lib/i18n';
import type { Language } from '../../lib/types';
import {
  CheckboxField,
  ErrorAlert,
  Loading,
  SelectField,
  SuccessNotice,
  TextField,
  useDocumentTitle,
} from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { hasPermission, useMe } from '../shell/session';
import { methodTexts } from './methods.texts';
import { ProviderSettingsSection } from './provider-settings.section';

type Text = Translate<keyof typeof methodTexts.ru>;
type Localized = { ru: string; en: string };
interface Provider {
  name: string;
  isSandbox: boolean;
}
interface MethodItem {
  label: string;
  alias: string;
  name: Localized;
  kind: string;
  minMinor: string | null;
  maxMinor: string | null;
  currencies: string[];
  capabilities: { isRefundable: boolean; isHoldable: boolean; isRecurring: boolean };
  isEnabledByDefault: boolean;
  provider: Provider | null;
}
interface Catalog {
  groups: { code: string; description: Localized; items: MethodItem[] }[];
}
type HealthWindow = '24h' | '7d';
interface HealthRow {
  label: string;
  name: Localized;
  provider: Provider | null;
  started: number;
  paid: number;
  declined: number;
  expired: number;
  successRate: number | null;
  pendingNow: number;
  oldestPendingSeconds: number | null;
}
interface ShopRef {
  id: string;
  name: string;
  merchantLogin: string;
  accountLogin: string;
  status: string;
}
interface ShopMethod extends MethodItem {
  group: { code: string; description: Localized };
  isEnabled: boolean;
  isExplicit: boolean;
}
interface ShopMethods {
  shop: ShopRef;
  items: ShopMethod[];
}

/** Minor units as whole units: '100000000' → '1 000 000', '1050' → '10,50'. */
function amount(minor: string, language: Language): string {
  return new Intl.NumberFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
    minimumFractionDigits: minor.endsWith('00') ? 0 : 2,
  }).format(Number(minor) / 100);
}

function limits(item: MethodItem, t: Text, language: Language): string {
  const parts = [
    item.minMinor !== null ? t('from', { amount: amount(item.minMinor, language) }) : '',
    item.maxMinor !== null ? t('to', { amount: amount(item.maxMinor, language) }) : '',
  ].filter((part) => part !== '');
  return parts.length === 0 ? t('noLimits') : parts.join(' ');
}

function capabilities(item: MethodItem, t: Text): string {
  const names = [
    item.capabilities.isRefundable ? t('capability.refundable') : '',
    item.capabilities.isHoldable ? t('capability.holdable') : '',
    item.capabilities.isRecurring ? t('capability.recurring') : '',
  ].filter((name) => name !== '');
  return names.length === 0 ? t('capability.none') : names.join(', ');
}

function age(seconds: number | null, t: Text): string {
  if (seconds === null) return '—';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t('age.minutes', { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('age.hours', { count: hours, minutes: minutes % 60 });
  return t('age.days', { count: Math.floor(hours / 24), hours: hours % 24 });
}

function ProviderCell({ provider, t }: { provider: Provider | null; t: Text }) {
  if (!provider) return <span className="muted">{t('noProvider')}</span>;
  return (
    <>
      {provider.name}{' '}
      <span className={`badge ${provider.isSandbox ? 'badge-sandbox' : 'badge-active'}`}>
        {provider.isSandbox ? t('sandbox') : t('live')}
      </span>
    </>
  );
}

export function MethodsPage() {
  const t = useTexts(methodTexts);
  useDocumentTitle(t('title'));
  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t('intro')}</p>
      <HealthSection />
      <ProviderSettingsSection />
      <ShopMethodsSection />
      <CatalogSection />
    </>
  );
}

function HealthSection() {
  const t = useTexts(methodTexts);
  const { language } = useLanguage();
  const [period, setPeriod] = useState<HealthWindow>('24h');
  const { resource } = useResource<{ items: HealthRow[] }>(`/api/backoffice/methods/health?window=${period}`);
  return (
    <section className="card" aria-labelledby="method-health-title">
      <h2 id="method-health-title">{t('health.title')}</h2>
      <SelectField<HealthWindow>
        id="method-health-window"
        label={t('health.window')}
        value={period}
        onChange={setPeriod}
        options={[
          { value: '24h', label: t('health.window.24h') },
          { value: '7d', label: t('health.window.7d') },
        ]}
      />
      <p className="muted">{t('health.hint')}</p>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && (
        <table className="table responsive-table">
          <thead>
            <tr>
              <th scope="col">{t('column.method')}</th>
              <th scope="col">{t('column.provider')}</th>
              <th scope="col">{t('column.started')}</th>
              <th scope="col">{t('column.paid')}</th>
              <th scope="col">{t('column.declined')}</th>
              <th scope="col">{t('column.expired')}</th>
              <th scope="col">{t('column.successRate')}</th>
              <th scope="col">{t('column.pending')}</th>
              <th scope="col">{t('column.oldest')}</th>
            </tr>
          </thead>
          <tbody>
            {resource.data.items.map((row) => (
              <tr key={row.label}>
                <td data-label={t('column.method')}>{row.name[language]}</td>
                <td data-label={t('column.provider')}>
                  <ProviderCell provider={row.provider} t={t} />
                </td>
                <td data-label={t('column.started')}>{row.started}</td>
                <td data-label={t('column.paid')}>{row.paid}</td>
                <td data-label={t('column.declined')}>{row.declined}</td>
                <td data-label={t('column.expired')}>{row.expired}</td>
                <td data-label={t('column.successRate')}>{formatPercent(row.successRate, language)}</td>
                <td data-label={t('column.pending')}>{row.pendingNow}</td>
                <td data-label={t('column.oldest')}>{age(row.oldestPendingSeconds, t)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CatalogSection() {
  const t = useTexts(methodTexts);
  const { language } = useLanguage();
  const { resource } = useResource<Catalog>('/api/backoffice/methods');
  return (
    <section className="card" aria-labelledby="method-catalog-title">
      <h2 id="method-catalog-title">{t('catalog.title')}</h2>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && (
        <table className="table responsive-table">
          <thead>
            <tr>
              <th scope="col">{t('column.group')}</th>
              <th scope="col">{t('column.method')}</th>
              <th scope="col">{t('column.label')}</th>
              <th scope="col">{t('column.limits')}</th>
              <th scope="col">{t('column.currencies')}</th>
              <th scope="col">{t('column.capabilities')}</th>
              <th scope="col">{t('column.provider')}</th>
              <th scope="col">{t('column.default')}</th>
            </tr>
          </thead>
          <tbody>
            {resource.data.groups.flatMap((group) =>
              group.items.map((item) => (
                <tr key={item.label}>
                  <td data-label={t('column.group')}>
                    {group.description[language]} <code>{group.code}</code>
                  </td>
                  <td data-label={t('column.method')}>{item.name[language]}</td>
                  <td data-label={t('column.label')}>
                    <code>{item.label}</code> / <code>{item.alias}</code>
                  </td>
                  <td data-label={t('column.limits')}>{limits(item, t, language)}</td>
                  <td data-label={t('column.currencies')}>{item.currencies.join(', ')}</td>
                  <td data-label={t('column.capabilities')}>{capabilities(item, t)}</td>
                  <td data-label={t('column.provider')}>
                    <ProviderCell provider={item.provider} t={t} />
                  </td>
                  <td data-label={t('column.default')}>{item.isEnabledByDefault ? t('on') : t('off')}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ShopMethodsSection() {
  const t = useTexts(methodTexts);
  const [params, setParams] = useSearchParams();
  const shopId = params.get('shop') ?? '';
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<ShopRef[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function search(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    try {
      const answer = await api.get<{ items: ShopRef[] }>(
        `/api/backoffice/methods/shops?q=${encodeURIComponent(query)}`,
      );
      setFound(answer.items);
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <section className="card" aria-labelledby="shop-methods-title">
      <h2 id="shop-methods-title">{t('shop.title')}</h2>
      <form onSubmit={(event) => void search(event)} className="field-row">
        <TextField
          id="method-shop-search"
          className="grow"
          label={t('shop.search')}
          hint={t('shop.searchHint')}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <div className="actions">
          <button type="submit" className="button">
            {t('shop.find')}
          </button>
        </div>
      </form>
      <ErrorAlert message={failure} />
      {found !== null && found.length === 0 && <p>{t('shop.none')}</p>}
      {found !== null && found.length > 0 && (
        <ul>
          {found.map((shop) => (
            <li key={shop.id}>
              {t('shop.chosen', {
                name: shop.name,
                merchantLogin: shop.merchantLogin,
                account: shop.accountLogin,
              })}{' '}
              <button
                type="button"
                className="button button-quiet"
                aria-label={`${t('shop.choose')}: ${shop.merchantLogin}`}
                onClick={() => {
                  setParams((current) => {
                    const next = new URLSearchParams(current);
                    next.set('shop', shop.id);
                    return next;
                  });
                  setFound(null);
                }}
              >
                {t('shop.choose')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {shopId !== '' && <ShopSwitches key={shopId} shopId={shopId} />}
    </section>
  );
}

function ShopSwitches({ shopId }: { shopId: string }) {
  const t = useTexts(methodTexts);
  const { language } = useLanguage();
  const canChange = hasPermission(useMe(), 'backoffice.methods');
  const { resource, setData } = useResource<ShopMethods>(
    `/api/backoffice/shops/${encodeURIComponent(shopId)}/methods`,
  );
  const [wanted, setWanted] = useState<Record<string, boolean>>({});
  const [isBusy, setIsBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  if (resource.status === 'loading') return <Loading label={t('loading')} />;
  if (resource.status === 'failed') return <ErrorAlert message={resource.message} />;
  const { shop, items } = resource.data;
  const isOn = (item: ShopMethod) => wanted[item.label] ?? item.isEnabled;

  async function save(event: FormEvent) {
    event.preventDefault();
    setIsBusy(true);
    setFailure(null);
    setNotice(null);
    try {
      const changes = items.map((item) => ({ label: item.label, isEnabled: isOn(item) }));
      setData(
        await api.put<ShopMethods>(`/api/backoffice/shops/${encodeURIComponent(shopId)}/methods`, {
          changes,
        }),
      );
      setWanted({});
      setNotice(t('shop.saved'));
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setIsBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void save(event)} aria-labelledby="shop-switches-title">
      <h3 id="shop-switches-title">
        {t('shop.chosen', { name: shop.name, merchantLogin: shop.merchantLogin, account: shop.accountLogin })}
      </h3>
      {!canChange && <p className="muted">{t('shop.readOnly')}</p>}
      <SuccessNotice message={notice} />
      <ErrorAlert message={failure} />
      <fieldset disabled={!canChange || isBusy}>
        <legend>{t('column.enabled')}</legend>
        {items.map((item) => (
          <CheckboxField
            key={item.label}
            id={`shop-method-${item.label}`}
            label={`${item.name[language]} (${item.label})`}
            hint={`${limits(item, t, language)} · ${item.isExplicit ? t('shop.explicit') : t('shop.byDefault')}`}
            checked={isOn(item)}
            onChange={(checked) => setWanted({ ...wanted, [item.label]: checked })}
          />
        ))}
      </fieldset>
      {canChange && (
        <div className="actions">
          <button type="submit" className="button" disabled={isBusy}>
            {t('shop.save')}
          </button>
        </div>
      )}
    </form>
  );
}
