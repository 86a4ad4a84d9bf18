// /password-reset: asks for the e-mail and always answers the same way, so it reveals no one's address.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useTexts } from '../../lib/i18n';
import { ErrorAlert, SuccessNotice, TextField, useDocumentTitle } from '../../lib/ui';
import { linkTexts } from './links.texts';

export function PasswordResetPage() {
  const t = useTexts(linkTexts);
  useDocumentTitle(t('reset.title'));
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      await api.post('/api/cabinet/password-resets', { email: email.trim() });
      setSent(true);
    } catch (error) {
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, [['email', 'reset-email']]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card narrow">
      <h1>{t('reset.title')}</h1>
      {sent ? (
        <SuccessNotice message={t('reset.sent')} />
      ) : (
        <form onSubmit={submit} noValidate>
          <p className="lead">{t('reset.intro')}</p>
          <ErrorAlert message={failure} />
          <TextField
            id="reset-email"
            type="email"
            label={t('reset.email')}
            error={errors.email}
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            autoComplete="email"
          />
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
              {t('reset.submit')}
            </button>
          </div>
        </form>
      )}
      <p className="aside">
        <Link to="/login">{t('backToSignIn')}</Link>
      </p>
    </section>
  );
}
