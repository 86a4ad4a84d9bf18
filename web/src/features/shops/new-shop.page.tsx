// /cabinet/shops/new: creates a shop in test mode and opens its page.
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useTexts } from '../../lib/i18n';
import type { Shop } from '../../lib/types';
import { ErrorAlert, TextAreaField, TextField, useDocumentTitle } from '../../lib/ui';
import { hasPermission, useMe } from '../shell/session';
import { shopTexts } from './shops.texts';

const FIELD_ORDER: [string, string][] = [
  ['name', 'shop-name'],
  ['siteUrl', 'shop-siteUrl'],
  ['description', 'shop-description'],
  ['merchantLogin', 'shop-merchantLogin'],
];

export function NewShopPage() {
  const t = useTexts(shopTexts);
  useDocumentTitle(t('new.title'));
  const me = useMe();
  const navigate = useNavigate();
  const [values, setValues] = useState({ name: '', siteUrl: '', description: '', merchantLogin: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function update(key: keyof typeof values, value: string) {
    setValues((current) => ({ ...current, [key]: value }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const shop = await api.post<Shop>('/api/cabinet/shops', {
        name: values.name.trim(),
        siteUrl: values.siteUrl.trim(),
        description: values.description.trim(),
        merchantLogin: values.merchantLogin.trim(),
      });
      navigate(`/cabinet/shops/${encodeURIComponent(shop.id)}`);
    } catch (error) {
      setBusy(false);
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, FIELD_ORDER);
    }
  }

  return (
    <>
      <p className="breadcrumb">
        <Link to="/cabinet/shops">← {t('back')}</Link>
      </p>
      <h1>{t('new.title')}</h1>
      {!hasPermission(me, 'shops.create') ? (
        <p>{t('new.forbidden')}</p>
      ) : (
        <form className="card form-card" onSubmit={submit} noValidate>
          <p className="lead">{t('new.intro')}</p>
          <ErrorAlert message={failure} />
          <TextField
            id="shop-name"
            label={t('name.label')}
            hint={t('name.hint')}
            error={errors.name}
            value={values.name}
            onChange={(event) => update('name', event.target.value)}
          />
          <TextField
            id="shop-siteUrl"
            type="url"
            label={t('siteUrl.label')}
            hint={t('siteUrl.hint')}
            error={errors.siteUrl}
            value={values.siteUrl}
            onChange={(event) => update('siteUrl', event.target.value)}
            placeholder="https://"
            autoComplete="url"
          />
          <TextAreaField
            id="shop-description"
            label={t('description.label')}
            hint={t('description.hint')}
            error={errors.description}
            value={values.description}
            onChange={(event) => update('description', event.target.value)}
            rows={3}
          />
          <TextField
            id="shop-merchantLogin"
            label={t('merchantLogin.label')}
            hint={t('merchantLogin.hint')}
            error={errors.merchantLogin}
            value={values.merchantLogin}
            onChange={(event) => update('merchantLogin', event.target.value)}
            autoCapitalize="none"
            spellCheck={false}
          />
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
              {busy ? t('new.submitting') : t('new.submit')}
            </button>
          </div>
        </form>
      )}
    </>
  );
}
