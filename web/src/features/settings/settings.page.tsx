// /cabinet/settings: the signed-in user's own security settings.
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { useTexts } from '../../lib/i18n';
import { ErrorAlert, useDocumentTitle } from '../../lib/ui';
import { NotificationsSection } from '../messages/notifications.section';
import { hasPermission, useMe, useSession } from '../shell/session';
import { AuditLogSection } from './audit-log.section';
import { ChangePasswordForm } from './change-password.form';
import { settingsTexts } from './settings.texts';
import { TwoFactorSection } from './two-factor.section';

export function SettingsPage() {
  const t = useTexts(settingsTexts);
  const me = useMe();
  useDocumentTitle(t('title'));
  return (
    <>
      <h1>{t('title')}</h1>
      <ChangePasswordForm />
      <TwoFactorSection />
      <NotificationsSection />
      <SignOutEverywhere />
      {hasPermission(me, 'audit.read') && <AuditLogSection />}
    </>
  );
}

function SignOutEverywhere() {
  const t = useTexts(settingsTexts);
  const { setMe } = useSession();
  const navigate = useNavigate();
  const [failure, setFailure] = useState<string | null>(null);

  async function revokeAll() {
    try {
      await api.post('/api/cabinet/sessions/revoke-all');
      setMe(null);
      navigate('/login', { replace: true });
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">{t('sessions.title')}</h2>
      <p className="muted">{t('sessions.text')}</p>
      <ErrorAlert message={failure} />
      <div className="actions">
        <button type="button" className="button button-danger" onClick={() => void revokeAll()}>
          {t('sessions.revoke')}
        </button>
      </div>
    </section>
  );
}
