/**
 * Two-factor authentication: setup shows a QR code and the key, a code from the app turns it on and
 * the recovery codes are shown once; turning it off asks for the password.
 */
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { commonTexts } from '../../lib/common.texts';
import { useTexts } from '../../lib/i18n';
import { ErrorAlert, SuccessNotice, TextField } from '../../lib/ui';
import { useMe, useSession } from '../shell/session';
import { settingsTexts } from './settings.texts';

interface TotpSetup {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

type Step = { name: 'idle' } | { name: 'setup'; setup: TotpSetup } | { name: 'recovery'; codes: string[] };

export function TwoFactorSection() {
  const t = useTexts(settingsTexts);
  const me = useMe();
  const { reload } = useSession();
  const [step, setStep] = useState<Step>({ name: 'idle' });
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function startSetup() {
    setBusy(true);
    setFailure(null);
    setNotice(null);
    try {
      setStep({ name: 'setup', setup: await api.post<TotpSetup>('/api/cabinet/me/totp/setup') });
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="totp-title">
      <h2 id="totp-title">{t('totp.title')}</h2>
      <ErrorAlert message={failure} />
      <SuccessNotice message={notice} />
      {step.name === 'setup' && (
        <EnableTotp
          setup={step.setup}
          onEnabled={(codes) => {
            setStep({ name: 'recovery', codes });
            void reload();
          }}
          onCancel={() => setStep({ name: 'idle' })}
        />
      )}
      {step.name === 'recovery' && (
        <RecoveryCodes codes={step.codes} onDone={() => setStep({ name: 'idle' })} />
      )}
      {step.name === 'idle' &&
        (me.user.totpEnabled ? (
          <>
            <p>{t('totp.on')}</p>
            <DisableTotp
              onDisabled={() => {
                setNotice(t('totp.disabled'));
                void reload();
              }}
            />
          </>
        ) : (
          <>
            <p>{t('totp.off')}</p>
            <div className="actions">
              <button
                type="button"
                className="button button-primary"
                disabled={busy}
                onClick={() => void startSetup()}
              >
                {t('totp.start')}
              </button>
            </div>
          </>
        ))}
    </section>
  );
}

interface EnableTotpProps {
  setup: TotpSetup;
  onEnabled: (recoveryCodes: string[]) => void;
  onCancel: () => void;
}

function EnableTotp({ setup, onEnabled, onCancel }: EnableTotpProps) {
  const t = useTexts(settingsTexts);
  const c = useTexts(commonTexts);
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const answer = await api.post<{ recoveryCodes: string[] }>('/api/cabinet/me/totp/enable', {
        code: code.trim(),
      });
      onEnabled(answer.recoveryCodes);
    } catch (error) {
      setBusy(false);
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, [['code', 'totp-code']]);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <p>{t('totp.scan')}</p>
      {/* The SVG is drawn by our own server from the secret, never from user input. */}
      <div
        className="qr"
        role="img"
        aria-label={t('totp.qr')}
        dangerouslySetInnerHTML={{ __html: setup.qrSvg }}
      />
      <p>
        {t('totp.secret')}: <code className="secret revealed">{setup.secret}</code>
      </p>
      <ErrorAlert message={failure} />
      <TextField
        id="totp-code"
        label={t('totp.code')}
        hint={t('totp.codeHint')}
        error={errors.code}
        value={code}
        onChange={(event) => setCode(event.target.value)}
        inputMode="numeric"
        autoComplete="one-time-code"
      />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
          {t('totp.confirm')}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {c('cancel')}
        </button>
      </div>
    </form>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const t = useTexts(settingsTexts);
  return (
    <div className="recovery">
      <h3>{t('totp.recoveryTitle')}</h3>
      <p>{t('totp.recoveryText')}</p>
      <ul className="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" className="button button-primary" onClick={onDone}>
          {t('totp.recoveryDone')}
        </button>
      </div>
    </div>
  );
}

function DisableTotp({ onDisabled }: { onDisabled: () => void }) {
  const t = useTexts(settingsTexts);
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      await api.post('/api/cabinet/me/totp/disable', { password });
      setPassword('');
      onDisabled();
    } catch (error) {
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, [['password', 'totp-disable-password']]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <ErrorAlert message={failure} />
      <TextField
        id="totp-disable-password"
        type="password"
        label={t('totp.disablePassword')}
        hint={t('totp.disableHint')}
        error={errors.password}
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        autoComplete="current-password"
      />
      <div className="actions">
        <button type="submit" className="button button-danger" disabled={busy} aria-busy={busy}>
          {t('totp.disable')}
        </button>
      </div>
    </form>
  );
}
