// Frame of the back-office: the platform operator's own header, without the merchant cabinet's navigation.
import { Link, Navigate, NavLink, Outlet } from 'react-router-dom';
import { ModerationQueuePage } from './moderation-queue.page';
import { commonTexts } from '../../lib/common.texts';
import { useTexts } from '../../lib/i18n';
import { useSignOut } from '../shell/cabinet.layout';
import { LanguageSwitch } from '../shell/language-switch';
import { disputeTexts } from '../deals/deal-disputes.texts';
import { hasPermission, useMe } from '../shell/session';
import type { Permission } from '../../lib/types';
import { backofficeTexts } from './backoffice.texts';
import { attemptTexts } from './card-attempts.texts';
import { broadcastTexts } from './broadcasts.texts';
import { tariffTexts } from './tariffs.texts';
import { methodTexts } from './methods.texts';
import { dispatchTexts } from '../documents/document-dispatch.texts';
import { payoutQueueTexts } from './payouts-queue.texts';
import { platformTexts } from './platform.texts';
import { deskTexts } from '../support-desk/support-desk.texts';
import { kycQueueTexts } from '../kyc/kyc-queue.page';

/** The back-office's first page: the moderation queue for those who moderate, the dashboard for others. */
export function BackofficeHome() {
  const me = useMe();
  return hasPermission(me, 'backoffice.moderation') ? (
    <ModerationQueuePage />
  ) : (
    <Navigate to="/backoffice/dashboard" replace />
  );
}

export function BackofficeLayout() {
  const me = useMe();
  const can = (permission: Permission) => hasPermission(me, permission);
  const kyc = useTexts(kycQueueTexts);
  const t = useTexts(backofficeTexts);
  const c = useTexts(commonTexts);
  const attempts = useTexts(attemptTexts);
  const desk = useTexts(deskTexts);
  const disputes = useTexts(disputeTexts);
  const platform = useTexts(platformTexts);
  const broadcasts = useTexts(broadcastTexts);
  const tariffs = useTexts(tariffTexts);
  const methods = useTexts(methodTexts);
  const dispatch = useTexts(dispatchTexts);
  const payouts = useTexts(payoutQueueTexts);
  const { signOut, error } = useSignOut();
  return (
    <div className="cabinet-layout">
      <header className="topbar">
        <Link to="/backoffice" className="brand">
          Kopek <span className="brand-suffix">{t('title')}</span>
        </Link>
        <div className="who">
          <span className="who-user">{me.user.login}</span>
        </div>
        <LanguageSwitch />
        <button type="button" className="button button-quiet" onClick={() => void signOut()}>
          {c('signOut')}
        </button>
      </header>
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
      <nav className="backoffice-nav" aria-label={t('title')}>
        {/* Each role sees the areas it may use; the server checks every request anyway. */}
        {can('backoffice.moderation') && (
          <NavLink to="/backoffice" end>
            {t('queue')}
          </NavLink>
        )}
        {can('backoffice.finance') && <NavLink to="/backoffice/card-attempts">{attempts('nav')}</NavLink>}
        {can('backoffice.moderation') && <NavLink to="/backoffice/kyc">{kyc('nav')}</NavLink>}
        {can('backoffice.support') && <NavLink to="/backoffice/support">{desk('nav.tickets')}</NavLink>}
        {can('backoffice.support') && <NavLink to="/backoffice/feedback">{desk('nav.feedback')}</NavLink>}
        {can('backoffice.support') && <NavLink to="/backoffice/canned-answers">{desk('nav.canned')}</NavLink>}
        {can('backoffice.finance') && <NavLink to="/backoffice/deals">{disputes('nav')}</NavLink>}
        {can('backoffice.finance') && <NavLink to="/backoffice/payouts">{payouts('nav')}</NavLink>}
        {can('backoffice.finance') && <NavLink to="/backoffice/documents">{dispatch('nav')}</NavLink>}
        <NavLink to="/backoffice/dashboard">{platform('nav.dashboard')}</NavLink>
        {can('backoffice.broadcasts') && <NavLink to="/backoffice/broadcasts">{broadcasts('nav')}</NavLink>}
        {can('backoffice.tariffs') && <NavLink to="/backoffice/tariffs">{tariffs('nav')}</NavLink>}
        <NavLink to="/backoffice/methods">{methods('nav')}</NavLink>
        <NavLink to="/backoffice/audit">{platform('nav.audit')}</NavLink>
        {can('backoffice.staff') && <NavLink to="/backoffice/staff">{platform('nav.staff')}</NavLink>}
      </nav>
      <main id="content" className="backoffice-main">
        <Outlet />
      </main>
    </div>
  );
}
