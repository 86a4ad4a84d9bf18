/**
 * /login: e-mail and password, or account login + personal login + password. When the server asks for
 * a second factor the same form grows a code field and is sent again with it.
 */
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router-dom';
import { api, ApiError, errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { Me } from '../../lib/types';
import { SuccessNotice, TextField, useDocumentTitle } from '../../lib/ui';
import { homePathFor, useSession } from '../shell/session';
import { signInTexts } from './sign-in.texts';

type Mode = 'email' | 'logins';

const FIELD_ORDER: [string, string][] = [
  ['email', 'login-email'],
  ['accountLogin', 'login-accountLogin'],
  ['userLogin', 'login-userLogin'],
  ['password', 'login-password'],
  ['totpCode', 'login-totp'],
];

/** Only in-app paths are followed after sign-in, never an address from outside. */
function returnPath(state: unknown): string | null {
  if (typeof state !== 'object' || state === null || !('from' in state)) return null;
  const from = state.from;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('//') ? from : null;
}

export function SignInPage() {
  const t = useTexts(signInTexts);
  useDocumentTitle(t('title'));
  const { state, setMe } = useSession();
  const location = useLocation();
  const navigate = useNavigate();

  const [mode, setMode] = useState<Mode>('email');
  const [values, setValues] = useState({
    email: '',
    accountLogin: '',
    userLogin: '',
    password: '',
    totpCode: '',
  });
  const [totpStep, setTotpStep] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  if (state.status === 'signed_in') return <Navigate to={homePathFor(state.me)} replace />;

  function update(key: keyof typeof values, value: string) {
    setValues((current) => ({ ...current, [key]: value }));
  }

  function finish(me: Me) {
    const home = homePathFor(me);
    const from = returnPath(location.state);
    // An operator asked for a cabinet page (or the reverse) still lands in their own area.
    const target = from && from.startsWith(home) ? from : home;
    setMe(me);
    navigate(target, { replace: true });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const credentials =
      mode === 'email'
        ? { email: values.email.trim(), password: values.password }
        : {
            accountLogin: values.accountLogin.trim(),
            userLogin: values.userLogin.trim(),
            password: values.password,
          };
    const body =
      totpStep && values.totpCode.trim() ? { ...credentials, totpCode: values.totpCode.trim() } : credentials;
    try {
      finish(await api.post<Me>('/api/cabinet/sessions', body));
    } catch (error) {
      handleFailure(error);
    } finally {
      setBusy(false);
    }
  }

  function handleFailure(error: unknown) {
    if (!(error instanceof ApiError)) {
      setFailure(new ApiError(0, 'unexpected', errorMessage(error)));
      return;
    }
    if (error.code === 'totp_required') {
      setErrors({});
      setTotpStep(true);
      // The code field appears with this render; focus it once it exists.
      requestAnimationFrame(() => document.getElementById('login-totp')?.focus());
      return;
    }
    if (error.code === 'totp_invalid') {
      setTotpStep(true);
      showFieldErrors(
        new ApiError(error.status, error.code, error.message, {
          totpCode: { code: error.code, message: error.message },
        }),
        setErrors,
        FIELD_ORDER,
      );
      return;
    }
    setFailure(error);
    showFieldErrors(error, setErrors, FIELD_ORDER);
  }

  function switchMode() {
    setMode((current) => (current === 'email' ? 'logins' : 'email'));
    setErrors({});
    setFailure(null);
  }

  return (
    <section className="card narrow">
      <form onSubmit={submit} noValidate>
        <h1>{t('title')}</h1>
        <FailureMessage failure={failure} email={mode === 'email' ? values.email.trim() : ''} />
        {mode === 'email' ? (
          <TextField
            id="login-email"
            type="email"
            label={t('email.label')}
            error={errors.email}
            value={values.email}
            onChange={(event) => update('email', event.target.value)}
            autoComplete="email"
          />
        ) : (
          <>
            <TextField
              id="login-accountLogin"
              label={t('accountLogin.label')}
              error={errors.accountLogin}
              value={values.accountLogin}
              onChange={(event) => update('accountLogin', event.target.value)}
              autoComplete="organization"
              autoCapitalize="none"
              spellCheck={false}
            />
            <TextField
              id="login-userLogin"
              label={t('userLogin.label')}
              hint={t('userLogin.hint')}
              error={errors.userLogin}
              value={values.userLogin}
              onChange={(event) => update('userLogin', event.target.value)}
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
            />
          </>
        )}
        <TextField
          id="login-password"
          type="password"
          label={t('password.label')}
          error={errors.password}
          value={values.password}
          onChange={(event) => update('password', event.target.value)}
          autoComplete="current-password"
        />
        {totpStep && (
          <>
            <p className="info" role="status">
              {t('totp.required')}
            </p>
            <TextField
              id="login-totp"
              label={t('totp.label')}
              hint={t('totp.hint')}
              error={errors.totpCode}
              value={values.totpCode}
              onChange={(event) => update('totpCode', event.target.value)}
              autoComplete="one-time-code"
              autoCapitalize="none"
              spellCheck={false}
            />
          </>
        )}
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
            {busy ? t('submitting') : t('submit')}
          </button>
        </div>
        <p className="aside">
          <button type="button" className="button-link" onClick={switchMode}>
            {mode === 'email' ? t('mode.toLogins') : t('mode.toEmail')}
          </button>
        </p>
        <p className="aside">
          <Link to="/password-reset">{t('forgot')}</Link>
        </p>
        <p className="aside">
          {t('noAccount')} <Link to="/reg">{t('register')}</Link>
        </p>
      </form>
    </section>
  );
}

/** The error above the form, with the retry time for a locked user and a resend for an unconfirmed one. */
function FailureMessage({ failure, email }: { failure: ApiError | null; email: string }) {
  const t = useTexts(signInTexts);
  const { language } = useLanguage();
  const [resent, setResent] = useState<'no' | 'yes' | 'failed'>('no');
  if (!failure) return null;
  const retryAt = typeof failure.extra.retryAt === 'string' ? failure.extra.retryAt : null;
  return (
    <div className="alert alert-error" role="alert">
      <p>{failure.message}</p>
      {failure.code === 'user_locked' && retryAt && (
        <p>{t('locked.retryAt', { time: formatDateTime(retryAt, language) })}</p>
      )}
      {failure.code === 'email_not_confirmed' && email && resent !== 'yes' && (
        <button
          type="button"
          className="button-link"
          onClick={() =>
            api.post('/api/cabinet/registrations/resend', { email }).then(
              () => setResent('yes'),
              () => setResent('failed'),
            )
          }
        >
          {t('notConfirmed.resend')}
        </button>
      )}
      {resent === 'yes' && <SuccessNotice message={t('notConfirmed.sent')} />}
      {resent === 'failed' && <p>{t('notConfirmed.failed')}</p>}
    </div>
  );
}
