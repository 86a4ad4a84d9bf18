/**
 * Asks for the e-mail and sends a fresh link. A registration link is renewed by resending the
 * confirmation, a password link by a new reset; an invitation only the administrator can repeat.
 */
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useTexts } from '../../lib/i18n';
import type { EmailLinkPurpose } from '../../lib/types';
import { ErrorAlert, RadioGroupField, SuccessNotice, TextField } from '../../lib/ui';
import { linkTexts } from './links.texts';

const PURPOSES: readonly EmailLinkPurpose[] = ['confirm_registration', 'reset_password', 'accept_invitation'];

export function RenewLinkForm({ purpose: knownPurpose }: { purpose: EmailLinkPurpose | null }) {
  const t = useTexts(linkTexts);
  // When the server could not say what the link was for, the user tells us.
  const [purpose, setPurpose] = useState<EmailLinkPurpose>(knownPurpose ?? 'confirm_registration');
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const path =
      purpose === 'reset_password' ? '/api/cabinet/password-resets' : '/api/cabinet/registrations/resend';
    try {
      await api.post(path, { email: email.trim() });
      setSent(true);
    } catch (error) {
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, [['email', 'renew-email']]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="subsection">
      <h2>{t('renew.title')}</h2>
      {!knownPurpose && (
        <RadioGroupField
          id="renew-purpose"
          name="purpose"
          label={t('renew.purpose')}
          value={purpose}
          options={PURPOSES.map((value) => ({ value, label: t(`purpose.${value}`) }))}
          onChange={setPurpose}
        />
      )}
      {purpose === 'accept_invitation' ? (
        <p>{t('renew.invitation')}</p>
      ) : sent ? (
        <SuccessNotice message={t('renew.sent')} />
      ) : (
        <>
          <ErrorAlert message={failure} />
          <TextField
            id="renew-email"
            type="email"
            label={t('renew.email')}
            error={errors.email}
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            autoComplete="email"
          />
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
              {t('renew.submit')}
            </button>
          </div>
        </>
      )}
      <p className="aside">
        <Link to="/login">{t('backToSignIn')}</Link>
      </p>
    </form>
  );
}
