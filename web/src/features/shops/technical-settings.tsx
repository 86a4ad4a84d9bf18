/**
 * The technical settings of a shop: hash algorithm, notification and return URLs, and the five
 * passwords. Saving sends only what changed; passwords are sent only when a new one was typed.
 */
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useTexts } from '../../lib/i18n';
import {
  HASH_ALGORITHMS,
  HTTP_METHODS,
  SHOP_PASSWORD_NAMES,
  type HashAlgorithm,
  type HttpMethod,
  type Shop,
  type ShopPasswords,
} from '../../lib/types';
import { CheckboxField, ErrorAlert, SelectField, SuccessNotice, TextField } from '../../lib/ui';
import { hasPermission, useMe } from '../shell/session';
import { changedFields } from './changed-fields';
import { ShopPasswordsBlock } from './shop-passwords';
import { RevealPasswordsDialog } from './reveal-passwords.dialog';
import { shopTexts } from './shops.texts';

interface Settings extends Record<string, unknown> {
  hashAlgorithm: HashAlgorithm;
  resultUrl: string;
  resultMethod: HttpMethod;
  successUrl: string;
  successMethod: HttpMethod;
  failUrl: string;
  failMethod: HttpMethod;
  isBuyerFee: boolean;
}

type UrlName = 'resultUrl' | 'successUrl' | 'failUrl';
type MethodName = 'resultMethod' | 'successMethod' | 'failMethod';
const URL_ROWS: readonly [UrlName, MethodName][] = [
  ['resultUrl', 'resultMethod'],
  ['successUrl', 'successMethod'],
  ['failUrl', 'failMethod'],
];

const EMPTY_PASSWORDS: ShopPasswords = {
  password1: '',
  password2: '',
  password3: '',
  testPassword1: '',
  testPassword2: '',
};

const FIELD_ORDER: [string, string][] = [
  ['hashAlgorithm', 'tech-hashAlgorithm'],
  ...URL_ROWS.flatMap(([url, method]): [string, string][] => [
    [url, `tech-${url}`],
    [method, `tech-${method}`],
  ]),
  ['isBuyerFee', 'tech-isBuyerFee'],
  ...SHOP_PASSWORD_NAMES.map((name): [string, string] => [name, `tech-${name}`]),
];

function settingsOf(shop: Shop): Settings {
  return {
    hashAlgorithm: shop.hashAlgorithm,
    resultUrl: shop.resultUrl ?? '',
    resultMethod: shop.resultMethod,
    successUrl: shop.successUrl ?? '',
    successMethod: shop.successMethod,
    failUrl: shop.failUrl ?? '',
    failMethod: shop.failMethod,
    isBuyerFee: shop.isBuyerFee,
  };
}

/** Changed settings plus typed passwords; an emptied URL is sent as null, meaning "not set". */
function patchOf(shop: Shop, settings: Settings, passwords: ShopPasswords): Record<string, unknown> {
  const changes: Record<string, unknown> = changedFields(settingsOf(shop), settings);
  for (const [url] of URL_ROWS) {
    if (url in changes) changes[url] = settings[url].trim() === '' ? null : settings[url].trim();
  }
  for (const name of SHOP_PASSWORD_NAMES) {
    if (passwords[name] !== '') changes[name] = passwords[name];
  }
  return changes;
}

export function TechnicalSettings({ shop, onSaved }: { shop: Shop; onSaved: (shop: Shop) => void }) {
  const t = useTexts(shopTexts);
  const me = useMe();
  const canWrite = hasPermission(me, 'shops.write');
  const [settings, setSettings] = useState(() => settingsOf(shop));
  const [newPasswords, setNewPasswords] = useState<ShopPasswords>(EMPTY_PASSWORDS);
  const [revealed, setRevealed] = useState<ShopPasswords | null>(null);
  const [revealOpen, setRevealOpen] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function update<K extends keyof Settings>(key: K, value: Settings[K]) {
    setSettings((current) => ({ ...current, [key]: value }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    setFailure(null);
    const patch = patchOf(shop, settings, newPasswords);
    if (Object.keys(patch).length === 0) return setNotice(t('save.nothing'));
    setBusy(true);
    try {
      const saved = await api.patch<Shop>(`/api/cabinet/shops/${encodeURIComponent(shop.id)}`, patch);
      const passwordsChanged = SHOP_PASSWORD_NAMES.some((name) => newPasswords[name] !== '');
      // Revealed values stay true: the new passwords are known here, so they replace the old ones.
      if (revealed) setRevealed(mergePasswords(revealed, newPasswords));
      setErrors({});
      setSettings(settingsOf(saved));
      setNewPasswords(EMPTY_PASSWORDS);
      onSaved(saved);
      setNotice(passwordsChanged ? `${t('save.done')} ${t('save.passwordsNote')}` : t('save.done'));
    } catch (error) {
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, FIELD_ORDER);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="technical-title">
      <h2 id="technical-title">{t('technical.title')}</h2>
      {!canWrite && <p className="info">{t('technical.readOnly')}</p>}
      <form onSubmit={submit} noValidate>
        <ErrorAlert message={failure} />
        <fieldset className="plain" disabled={!canWrite}>
          <TextField
            id="tech-merchantLogin"
            label={t('merchantLogin.label')}
            value={shop.merchantLogin}
            readOnly
          />
          <SelectField
            id="tech-hashAlgorithm"
            label={t('hashAlgorithm.label')}
            hint={t('hashAlgorithm.hint')}
            error={errors.hashAlgorithm}
            value={settings.hashAlgorithm}
            options={HASH_ALGORITHMS.map((value) => ({ value, label: value }))}
            onChange={(value) => update('hashAlgorithm', value)}
          />
          {URL_ROWS.map(([url, method]) => (
            <div className="field-row" key={url}>
              <TextField
                id={`tech-${url}`}
                className="grow"
                type="url"
                label={t(`${url}.label`)}
                hint={t(`${url}.hint`)}
                error={errors[url]}
                value={settings[url]}
                onChange={(event) => update(url, event.target.value)}
                placeholder="https://"
              />
              <SelectField
                id={`tech-${method}`}
                label={t(`${method}.label`)}
                error={errors[method]}
                value={settings[method]}
                options={HTTP_METHODS.map((value) => ({ value, label: value }))}
                onChange={(value) => update(method, value)}
              />
            </div>
          ))}
          <CheckboxField
            id="tech-isBuyerFee"
            label={t('isBuyerFee.label')}
            hint={t('isBuyerFee.hint')}
            error={errors.isBuyerFee}
            checked={settings.isBuyerFee}
            onChange={(checked) => update('isBuyerFee', checked)}
          />
          <p className="info">{t(shop.isHoldAllowed ? 'holds.allowed' : 'holds.notAllowed')}</p>
        </fieldset>
        <ShopPasswordsBlock
          canWrite={canWrite}
          canReveal={hasPermission(me, 'shops.secrets')}
          revealed={revealed}
          newPasswords={newPasswords}
          errors={errors}
          onNewPassword={(name, value) => setNewPasswords((current) => ({ ...current, [name]: value }))}
          onReveal={() => setRevealOpen(true)}
          onHide={() => setRevealed(null)}
        />
        <SuccessNotice message={notice} />
        {canWrite && (
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
              {busy ? t('save.saving') : t('technical.submit')}
            </button>
          </div>
        )}
      </form>
      <RevealPasswordsDialog
        shopId={shop.id}
        open={revealOpen}
        onClose={() => setRevealOpen(false)}
        onRevealed={setRevealed}
      />
    </section>
  );
}

function mergePasswords(current: ShopPasswords, typed: ShopPasswords): ShopPasswords {
  const merged = { ...current };
  for (const name of SHOP_PASSWORD_NAMES) if (typed[name] !== '') merged[name] = typed[name];
  return merged;
}
