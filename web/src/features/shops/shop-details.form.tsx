// The shop's name, site and description; a rejected shop usually needs one of these fixed.
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useTexts } from '../../lib/i18n';
import type { Shop } from '../../lib/types';
import { ErrorAlert, SuccessNotice, TextAreaField, TextField } from '../../lib/ui';
import { hasPermission, useMe } from '../shell/session';
import { changedFields } from './changed-fields';
import { shopTexts } from './shops.texts';

const FIELD_ORDER: [string, string][] = [
  ['name', 'details-name'],
  ['siteUrl', 'details-siteUrl'],
  ['description', 'details-description'],
];

function detailsOf(shop: Shop) {
  return { name: shop.name, siteUrl: shop.siteUrl, description: shop.description };
}

export function ShopDetailsForm({ shop, onSaved }: { shop: Shop; onSaved: (shop: Shop) => void }) {
  const t = useTexts(shopTexts);
  const canWrite = hasPermission(useMe(), 'shops.write');
  const [values, setValues] = useState(() => detailsOf(shop));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function update(key: keyof typeof values, value: string) {
    setValues((current) => ({ ...current, [key]: value }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    setFailure(null);
    const changes = changedFields(detailsOf(shop), values);
    if (Object.keys(changes).length === 0) return setNotice(t('save.nothing'));
    setBusy(true);
    try {
      const saved = await api.patch<Shop>(`/api/cabinet/shops/${encodeURIComponent(shop.id)}`, changes);
      setErrors({});
      setValues(detailsOf(saved));
      onSaved(saved);
      setNotice(t('save.done'));
    } catch (error) {
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, FIELD_ORDER);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="details-title">
      <h2 id="details-title">{t('details.title')}</h2>
      <form onSubmit={submit} noValidate>
        <ErrorAlert message={failure} />
        <fieldset className="plain" disabled={!canWrite}>
          <TextField
            id="details-name"
            label={t('name.label')}
            hint={t('name.hint')}
            error={errors.name}
            value={values.name}
            onChange={(event) => update('name', event.target.value)}
          />
          <TextField
            id="details-siteUrl"
            type="url"
            label={t('siteUrl.label')}
            error={errors.siteUrl}
            value={values.siteUrl}
            onChange={(event) => update('siteUrl', event.target.value)}
          />
          <TextAreaField
            id="details-description"
            label={t('description.label')}
            error={errors.description}
            value={values.description}
            onChange={(event) => update('description', event.target.value)}
            rows={3}
          />
        </fieldset>
        <SuccessNotice message={notice} />
        {canWrite && (
          <div className="actions">
            <button type="submit" className="button" disabled={busy} aria-busy={busy}>
              {busy ? t('save.saving') : t('details.submit')}
            </button>
          </div>
        )}
      </form>
    </section>
  );
}
