// The webhook endpoints of one shop: add (the secret shown once), edit, switch on and off, a new secret,
// the secret shown again after the user's password, delete; and each endpoint's recent deliveries.
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { ItemList } from '../../lib/types';
import { ErrorAlert, Loading, Modal, SuccessNotice, TextField } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { apiKeysTexts } from './api-keys.texts';
import type { WebhookEndpoint, WebhookEndpointWithSecret } from './api-keys.types';
import { ConfirmDialog, SecretDialog } from './secret-dialogs';
import { WebhookDeliveries } from './webhook-deliveries';
import { EndpointForm, type EndpointSettings } from './webhook-endpoint.form';

type Shown = { kind: 'created' | 'rotated' | 'revealed'; secret: string };

export function WebhooksSection({ shopId }: { shopId: string }) {
  const t = useTexts(apiKeysTexts);
  const path = `/api/cabinet/shops/${encodeURIComponent(shopId)}/webhook-endpoints`;
  const { resource, reload } = useResource<ItemList<WebhookEndpoint>>(path);
  const [isAdding, setIsAdding] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);

  async function add(settings: EndpointSettings) {
    const created = await api.post<WebhookEndpointWithSecret>(path, settings);
    setIsAdding(false);
    setShown({ kind: 'created', secret: created.secret });
    reload();
  }

  return (
    <section className="card" aria-labelledby="webhooks-title">
      <div className="subsection-head">
        <h2 id="webhooks-title">{t('hooks.title')}</h2>
        {!isAdding && (
          <button type="button" className="button button-primary" onClick={() => setIsAdding(true)}>
            {t('hooks.add')}
          </button>
        )}
      </div>
      <p className="muted">{t('hooks.intro')}</p>
      {isAdding && (
        <EndpointForm
          idPrefix="new-endpoint"
          initial={{
            url: '',
            description: '',
            events: ['payment.paid', 'payment.failed', 'refund.succeeded'],
          }}
          submitLabel={t('hooks.add')}
          busyLabel={t('hooks.adding')}
          onSubmit={add}
          onCancel={() => setIsAdding(false)}
        />
      )}
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && resource.data.items.length === 0 && !isAdding && (
        <p className="muted">{t('hooks.empty')}</p>
      )}
      {resource.status === 'ready' &&
        resource.data.items.map((endpoint) => (
          <EndpointBlock
            key={endpoint.id}
            shopId={shopId}
            path={`${path}/${encodeURIComponent(endpoint.id)}`}
            endpoint={endpoint}
            onChanged={reload}
            onSecret={setShown}
          />
        ))}
      <SecretDialog
        title={t(
          shown?.kind === 'rotated'
            ? 'hooks.rotatedTitle'
            : shown?.kind === 'revealed'
              ? 'hooks.revealTitle'
              : 'hooks.createdTitle',
        )}
        text={t(shown?.kind === 'rotated' ? 'hooks.rotatedText' : 'hooks.secretText')}
        secret={shown?.secret ?? null}
        onClose={() => setShown(null)}
      />
    </section>
  );
}

interface EndpointBlockProps {
  shopId: string;
  path: string;
  endpoint: WebhookEndpoint;
  onChanged: () => void;
  onSecret: (shown: Shown) => void;
}

type Dialog = 'none' | 'rotate' | 'reveal' | 'delete';

function EndpointBlock({ shopId, path, endpoint, onChanged, onSecret }: EndpointBlockProps) {
  const t = useTexts(apiKeysTexts);
  const { language } = useLanguage();
  const [isEditing, setIsEditing] = useState(false);
  const [dialog, setDialog] = useState<Dialog>('none');
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const headingId = `endpoint-${endpoint.id}`;

  async function save(settings: EndpointSettings) {
    await api.patch(path, settings);
    setIsEditing(false);
    setNotice(t('hooks.saved'));
    onChanged();
  }

  async function toggle() {
    setNotice(null);
    setFailure(null);
    try {
      await api.patch(path, { isEnabled: !endpoint.isEnabled });
      onChanged();
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  async function rotate() {
    const rotated = await api.post<WebhookEndpointWithSecret>(`${path}/rotate-secret`);
    onSecret({ kind: 'rotated', secret: rotated.secret });
    onChanged();
  }

  async function remove() {
    await api.delete(path);
    onChanged();
  }

  return (
    <article className="subsection api-endpoint" aria-labelledby={headingId}>
      <div className="subsection-head">
        <h3 id={headingId} className="break">
          <code>{endpoint.url}</code>
        </h3>
        <span className={endpoint.isEnabled ? 'badge badge-active' : 'badge badge-rejected'}>
          {endpoint.isEnabled ? t('hooks.enabled') : t('hooks.disabled')}
        </span>
      </div>
      {endpoint.description && <p>{endpoint.description}</p>}
      <ul className="api-events">
        {endpoint.events.map((event) => (
          <li key={event}>{t(`event.${event}`)}</li>
        ))}
      </ul>
      {endpoint.previousSecretExpiresAt && (
        <p className="muted">
          {t('hooks.previousSecret', { date: formatDateTime(endpoint.previousSecretExpiresAt, language) })}
        </p>
      )}
      <SuccessNotice message={notice} />
      <ErrorAlert message={failure} />
      {isEditing ? (
        <EndpointForm
          idPrefix={`edit-${endpoint.id}`}
          initial={{ url: endpoint.url, description: endpoint.description, events: endpoint.events }}
          submitLabel={t('hooks.save')}
          busyLabel={t('hooks.save')}
          onSubmit={save}
          onCancel={() => setIsEditing(false)}
        />
      ) : (
        <div className="row-actions" role="group" aria-labelledby={headingId}>
          <button type="button" className="button" onClick={() => setIsEditing(true)}>
            {t('hooks.edit')}
          </button>
          <button type="button" className="button" onClick={() => void toggle()}>
            {endpoint.isEnabled ? t('hooks.disable') : t('hooks.enable')}
          </button>
          <button type="button" className="button" onClick={() => setDialog('rotate')}>
            {t('hooks.rotate')}
          </button>
          <button type="button" className="button" onClick={() => setDialog('reveal')}>
            {t('hooks.reveal')}
          </button>
          <button type="button" className="button button-danger" onClick={() => setDialog('delete')}>
            {t('hooks.delete')}
          </button>
        </div>
      )}
      <WebhookDeliveries shopId={shopId} endpointId={endpoint.id} />
      <ConfirmDialog
        open={dialog === 'rotate'}
        title={t('hooks.rotateTitle')}
        text={t('hooks.rotateText')}
        confirmLabel={t('hooks.rotate')}
        onConfirm={rotate}
        onClose={() => setDialog('none')}
      />
      <ConfirmDialog
        open={dialog === 'delete'}
        title={t('hooks.deleteTitle')}
        text={t('hooks.deleteText')}
        confirmLabel={t('hooks.delete')}
        isDanger
        onConfirm={remove}
        onClose={() => setDialog('none')}
      />
      <Modal open={dialog === 'reveal'} title={t('hooks.revealTitle')} onClose={() => setDialog('none')}>
        <RevealSecretForm
          path={`${path}/reveal-secret`}
          idPrefix={`reveal-${endpoint.id}`}
          onRevealed={(secret) => {
            setDialog('none');
            onSecret({ kind: 'revealed', secret });
          }}
          onCancel={() => setDialog('none')}
        />
      </Modal>
    </article>
  );
}

interface RevealSecretFormProps {
  path: string;
  idPrefix: string;
  onRevealed: (secret: string) => void;
  onCancel: () => void;
}

function RevealSecretForm({ path, idPrefix, onRevealed, onCancel }: RevealSecretFormProps) {
  const t = useTexts(apiKeysTexts);
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fieldId = `${idPrefix}-password`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const answer = await api.post<{ secret: string }>(path, { password });
      onRevealed(answer.secret);
    } catch (error) {
      setBusy(false);
      const found = showFieldErrors(error, setErrors, [['password', fieldId]]);
      if (!found.password) setFailure(errorMessage(error));
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <p>{t('hooks.revealIntro')}</p>
      <ErrorAlert message={failure} />
      <TextField
        id={fieldId}
        type="password"
        label={t('hooks.password')}
        error={errors.password}
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        autoComplete="current-password"
        autoFocus
      />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
          {t('hooks.revealSubmit')}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}
