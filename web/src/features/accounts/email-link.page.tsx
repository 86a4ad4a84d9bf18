/**
 * /links/:token: the page behind every e-mailed link (confirm registration, reset password, accept an
 * invitation). A valid link asks for a password and signs the user in; a used, expired or unknown link
 * says which it is and offers a new one.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { api, ApiError, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useTexts } from '../../lib/i18n';
import type { EmailLink, EmailLinkPurpose, Me } from '../../lib/types';
import { ErrorAlert, Loading, TextField, useDocumentTitle } from '../../lib/ui';
import { homePathFor, useSession } from '../shell/session';
import { linkTexts } from './links.texts';
import { RenewLinkForm } from './renew-link.form';

type LinkState =
  | { status: 'loading' }
  | { status: 'valid'; link: EmailLink }
  | { status: 'invalid'; code: string; message: string; purpose: EmailLinkPurpose | null };

const PURPOSES: readonly EmailLinkPurpose[] = ['confirm_registration', 'reset_password', 'accept_invitation'];

function purposeOf(value: unknown): EmailLinkPurpose | null {
  return PURPOSES.find((purpose) => purpose === value) ?? null;
}

/** 404 and 410 mean the link itself is unusable; anything else is a passing failure. */
function invalidState(error: unknown, knownPurpose: EmailLinkPurpose | null): LinkState {
  const code = error instanceof ApiError ? error.code : 'unexpected';
  const purpose = knownPurpose ?? (error instanceof ApiError ? purposeOf(error.extra.purpose) : null);
  return { status: 'invalid', code, message: errorMessage(error), purpose };
}

function linkPath(token: string): string {
  return `/api/cabinet/email-links/${encodeURIComponent(token)}`;
}

export function EmailLinkPage() {
  const { token = '' } = useParams();
  const [state, setState] = useState<LinkState>({ status: 'loading' });
  const t = useTexts(linkTexts);

  useEffect(() => {
    let current = true;
    api.get<EmailLink>(linkPath(token)).then(
      (link) => current && setState({ status: 'valid', link }),
      (error: unknown) => current && setState(invalidState(error, null)),
    );
    return () => {
      current = false;
    };
  }, [token]);

  return (
    <section className="card narrow">
      {state.status === 'loading' && <Loading label={t('checking')} />}
      {state.status === 'valid' && (
        <SetPasswordForm
          token={token}
          link={state.link}
          onInvalid={(error) => setState(invalidState(error, state.link.purpose))}
        />
      )}
      {state.status === 'invalid' && <InvalidLink state={state} />}
    </section>
  );
}

interface SetPasswordFormProps {
  token: string;
  link: EmailLink;
  onInvalid: (error: unknown) => void;
}

function SetPasswordForm({ token, link, onInvalid }: SetPasswordFormProps) {
  const t = useTexts(linkTexts);
  useDocumentTitle(t(`purpose.${link.purpose}`));
  const { setMe } = useSession();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const order: [string, string][] = [
    ['password', 'link-password'],
    ['repeat', 'link-repeat'],
  ];

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    if (password !== repeat) {
      const mismatch = new ApiError(422, 'mismatch', '', {
        repeat: { code: 'mismatch', message: t('repeat.mismatch') },
      });
      showFieldErrors(mismatch, setErrors, order);
      return;
    }
    setBusy(true);
    try {
      const me = await api.post<Me>(`${linkPath(token)}/complete`, { password });
      setMe(me);
      navigate(homePathFor(me), { replace: true });
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && (error.status === 404 || error.status === 410))
        return onInvalid(error);
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, order);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <h1>{t(`purpose.${link.purpose}`)}</h1>
      <p className="lead">{t(`intro.${link.purpose}`)}</p>
      <p className="muted">
        {t('who', { accountLogin: link.accountLogin, userLogin: link.userLogin, email: link.email })}
      </p>
      <ErrorAlert message={failure} />
      {/* Lets password managers store the new password under the right login. */}
      <input type="hidden" name="username" autoComplete="username" value={link.email} />
      <TextField
        id="link-password"
        type="password"
        label={t('password.label')}
        hint={t('password.hint')}
        error={errors.password}
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        autoComplete="new-password"
      />
      <TextField
        id="link-repeat"
        type="password"
        label={t('repeat.label')}
        error={errors.repeat}
        value={repeat}
        onChange={(event) => setRepeat(event.target.value)}
        autoComplete="new-password"
      />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
          {busy ? t('set.submitting') : t('set.submit')}
        </button>
      </div>
    </form>
  );
}

type KnownProblem = 'link_used' | 'link_expired' | 'link_not_found';
const KNOWN_PROBLEMS: readonly KnownProblem[] = ['link_used', 'link_expired', 'link_not_found'];

function InvalidLink({ state }: { state: Extract<LinkState, { status: 'invalid' }> }) {
  const t = useTexts(linkTexts);
  const problem = KNOWN_PROBLEMS.find((code) => code === state.code);
  const title = problem ? t(`invalid.${problem}`) : t('invalid.other');
  useDocumentTitle(title);
  return (
    <div>
      <h1>{title}</h1>
      {problem ? <p>{t(`explain.${problem}`)}</p> : <ErrorAlert message={state.message} />}
      <RenewLinkForm purpose={state.purpose} />
    </div>
  );
}
