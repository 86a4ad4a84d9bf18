// The settings of a webhook endpoint: URL, events (checkboxes), description. Used to add and to edit.
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useTexts } from '../../lib/i18n';
import { ErrorAlert, TextField } from '../../lib/ui';
import { apiKeysTexts } from './api-keys.texts';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './api-keys.types';

export interface EndpointSettings {
  url: string;
  description: string;
  events: WebhookEventType[];
}

interface EndpointFormProps {
  idPrefix: string;
  initial: EndpointSettings;
  submitLabel: string;
  busyLabel: string;
  onSubmit: (settings: EndpointSettings) => Promise<void>;
  onCancel?: () => void;
}

export function EndpointForm({
  idPrefix,
  initial,
  submitLabel,
  busyLabel,
  onSubmit,
  onCancel,
}: EndpointFormProps) {
  const t = useTexts(apiKeysTexts);
  const [settings, setSettings] = useState<EndpointSettings>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function toggleEvent(event: WebhookEventType, isChecked: boolean) {
    setSettings((current) => ({
      ...current,
      events: isChecked ? [...current.events, event] : current.events.filter((item) => item !== event),
    }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    setErrors({});
    try {
      await onSubmit(settings);
    } catch (error) {
      setFailure(errorMessage(error));
      const found = showFieldErrors(error, setErrors, [
        ['url', `${idPrefix}-url`],
        ['events', `${idPrefix}-event-${WEBHOOK_EVENT_TYPES[0]}`],
        ['description', `${idPrefix}-description`],
      ]);
      // Schema errors name the item (events.0); the group shows them under its legend.
      const eventsProblem = Object.entries(found).find(([field]) => field.startsWith('events.'));
      if (eventsProblem) setErrors({ ...found, events: eventsProblem[1] });
    } finally {
      setBusy(false);
    }
  }

  const eventsErrorId = `${idPrefix}-events-error`;
  return (
    <form className="form-card api-endpoint-form" onSubmit={submit} noValidate>
      <ErrorAlert message={failure} />
      <TextField
        id={`${idPrefix}-url`}
        type="url"
        label={t('hooks.url')}
        hint={t('hooks.urlHint')}
        error={errors.url}
        value={settings.url}
        maxLength={2000}
        required
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => setSettings({ ...settings, url: event.target.value })}
      />
      <fieldset
        className="field"
        aria-invalid={errors.events ? true : undefined}
        aria-describedby={errors.events ? eventsErrorId : undefined}
      >
        <legend>{t('hooks.events')}</legend>
        {WEBHOOK_EVENT_TYPES.map((type) => (
          <div className="choice" key={type}>
            <input
              type="checkbox"
              id={`${idPrefix}-event-${type}`}
              checked={settings.events.includes(type)}
              onChange={(event) => toggleEvent(type, event.target.checked)}
            />
            <label htmlFor={`${idPrefix}-event-${type}`}>{t(`event.${type}`)}</label>
          </div>
        ))}
        {errors.events && (
          <p id={eventsErrorId} className="field-error">
            {errors.events}
          </p>
        )}
      </fieldset>
      <TextField
        id={`${idPrefix}-description`}
        label={t('hooks.description')}
        hint={t('hooks.descriptionHint')}
        error={errors.description}
        value={settings.description}
        maxLength={200}
        onChange={(event) => setSettings({ ...settings, description: event.target.value })}
      />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
          {busy ? busyLabel : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            {t('cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
