// Frame of the back-office: the platform operator's own header, without the merchant cabinet's navigation.
import { Link, NavLink, Outlet } from 'react-router-dom';
import { commonTexts } from '../../lib/common.texts';
import { useTexts } from '../../lib/i18n';
import { useSignOut } from '../shell/cabinet.layout';
import { LanguageSwitch } from '../shell/language-switch';
import { disputeTexts } from '../deals/deal-disputes.texts';
import { useMe } from '../shell/session';
import { backofficeTexts } from './backoffice.texts';
import { attemptTexts } from './card-attempts.texts';
import { broadcastTexts } from './broadcasts.texts';
import { platformTexts } from './platform.texts';
import { deskTexts } from '../support-desk/support-desk.texts';

export function BackofficeLayout() {
  const me = useMe();
  const t = useTexts(backofficeTexts);
  const c = useTexts(commonTexts);
  const attempts = useTexts(attemptTexts);
  const desk = useTexts(deskTexts);
  const disputes = useTexts(disputeTexts);
  const platform = useTexts(platformTexts);
  const broadcasts = useTexts(broadcastTexts);
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
        <NavLink to="/backoffice" end>
          {t('queue')}
        </NavLink>
        <NavLink to="/backoffice/card-attempts">{attempts('nav')}</NavLink>
        <NavLink to="/backoffice/support">{desk('nav.tickets')}</NavLink>
        <NavLink to="/backoffice/feedback">{desk('nav.feedback')}</NavLink>
        <NavLink to="/backoffice/deals">{disputes('nav')}</NavLink>
        <NavLink to="/backoffice/dashboard">{platform('nav.dashboard')}</NavLink>
        <NavLink to="/backoffice/broadcasts">{broadcasts('nav')}</NavLink>
        <NavLink to="/backoffice/audit">{platform('nav.audit')}</NavLink>
      </nav>
      <main id="content" className="backoffice-main">
        <Outlet />
      </main>
    </div>
  );
}
