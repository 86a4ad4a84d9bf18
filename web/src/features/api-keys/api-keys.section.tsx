// The API keys of one shop: the list (prefix, created, last used, revoked), a new key shown once, revoking.
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { ItemList } from '../../lib/types';
import { ErrorAlert, Loading, SuccessNotice, TextField } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { apiKeysTexts } from './api-keys.texts';
import type { ApiKey, NewApiKey } from './api-keys.types';
import { ConfirmDialog, SecretDialog } from './secret-dialogs';

export function ApiKeysSection({ shopId }: { shopId: string }) {
  const t = useTexts(apiKeysTexts);
  const path = `/api/cabinet/shops/${encodeURIComponent(shopId)}/api-keys`;
  const { resource, reload } = useResource<ItemList<ApiKey>>(path);
  const [created, setCreated] = useState<NewApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function revoke(key: ApiKey) {
    await api.delete(`${path}/${encodeURIComponent(key.id)}`);
    setNotice(t('keys.revoked', { name: key.name }));
    reload();
  }

  return (
    <section className="card" aria-labelledby="api-keys-title">
      <h2 id="api-keys-title">{t('keys.title')}</h2>
      <p className="muted">{t('keys.intro')}</p>
      <CreateKeyForm
        path={path}
        onCreated={(key) => {
          setNotice(null);
          setCreated(key);
          reload();
        }}
      />
      <SuccessNotice message={notice} />
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' &&
        (resource.data.items.length === 0 ? (
          <p className="muted">{t('keys.empty')}</p>
        ) : (
          <KeyTable keys={resource.data.items} onRevoke={setRevoking} />
        ))}
      <SecretDialog
        title={t('keys.createdTitle', { name: created?.name ?? '' })}
        text={t('keys.createdText')}
        secret={created?.secret ?? null}
        onClose={() => setCreated(null)}
      />
      <ConfirmDialog
        open={revoking !== null}
        title={t('keys.revokeTitle', { name: revoking?.name ?? '' })}
        text={t('keys.revokeText')}
        confirmLabel={t('keys.revoke')}
        isDanger
        onConfirm={() => (revoking ? revoke(revoking) : Promise.resolve())}
        onClose={() => setRevoking(null)}
      />
    </section>
  );
}

function CreateKeyForm({ path, onCreated }: { path: string; onCreated: (key: NewApiKey) => void }) {
  const t = useTexts(apiKeysTexts);
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    setErrors({});
    try {
      onCreated(await api.post<NewApiKey>(path, { name }));
      setName('');
    } catch (error) {
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, [['name', 'api-key-name']]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="field-row" onSubmit={submit} noValidate>
      <TextField
        id="api-key-name"
        className="grow"
        label={t('keys.name')}
        hint={t('keys.nameHint')}
        error={errors.name}
        value={name}
        maxLength={100}
        required
        onChange={(event) => setName(event.target.value)}
      />
      <button type="submit" className="button button-primary align-end" disabled={busy} aria-busy={busy}>
        {busy ? t('keys.creating') : t('keys.create')}
      </button>
      <ErrorAlert message={failure && !errors.name ? failure : null} />
    </form>
  );
}

function KeyTable({ keys, onRevoke }: { keys: readonly ApiKey[]; onRevoke: (key: ApiKey) => void }) {
  const t = useTexts(apiKeysTexts);
  const { language } = useLanguage();
  return (
    <table className="table responsive-table api-table">
      <thead>
        <tr>
          <th scope="col">{t('keys.column.name')}</th>
          <th scope="col">{t('keys.column.prefix')}</th>
          <th scope="col">{t('keys.column.created')}</th>
          <th scope="col">{t('keys.column.lastUsed')}</th>
          <th scope="col">{t('keys.column.status')}</th>
          <th scope="col">
            <span className="visually-hidden">{t('keys.column.actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => (
          <tr key={key.id}>
            <td data-label={t('keys.column.name')}>{key.name}</td>
            <td data-label={t('keys.column.prefix')}>
              <code>{key.prefix}…</code>
            </td>
            <td data-label={t('keys.column.created')}>
              <time dateTime={key.createdAt}>{formatDateTime(key.createdAt, language)}</time>
            </td>
            <td data-label={t('keys.column.lastUsed')}>
              {key.lastUsedAt ? (
                <time dateTime={key.lastUsedAt}>{formatDateTime(key.lastUsedAt, language)}</time>
              ) : (
                <span className="muted">{t('keys.neverUsed')}</span>
              )}
            </td>
            <td data-label={t('keys.column.status')}>
              {key.revokedAt ? (
                <span className="badge badge-rejected">
                  {t('keys.revokedAt', { date: formatDateTime(key.revokedAt, language) })}
                </span>
              ) : (
                <span className="badge badge-active">{t('keys.active')}</span>
              )}
            </td>
            <td className="row-actions">
              {!key.revokedAt && (
                <button
                  type="button"
                  className="button button-danger"
                  aria-label={`${t('keys.revoke')}: ${key.name}`}
                  onClick={() => onRevoke(key)}
                >
                  {t('keys.revoke')}
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
