// Frame of every cabinet page: header with who is signed in, and the navigation of the whole cabinet.
import { useEffect, useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { commonTexts } from '../../lib/common.texts';
import { useTexts } from '../../lib/i18n';
import { UnreadBadge } from '../messages/unread-count';
import { LanguageSwitch } from './language-switch';
import { useResource } from '../../lib/use-resource';
import type { Permission } from '../../lib/types';
import { hasPermission, useMe, useSession } from './session';
import { shellTexts } from './shell.texts';

type NavKey =
  | 'nav.operations'
  | 'nav.invoices'
  | 'nav.deals'
  | 'nav.analytics'
  | 'nav.balance'
  | 'nav.documents'
  | 'nav.shops'
  | 'nav.api'
  | 'nav.messages'
  | 'nav.support'
  | 'nav.kyc'
  | 'nav.settings'
  | 'nav.employees';

/** Sections a role cannot open are not shown at all. */
const NAV_ITEMS: readonly { to: string; key: NavKey; permission?: Permission }[] = [
  { to: '/cabinet/operations', key: 'nav.operations', permission: 'operations.read' },
  { to: '/cabinet/invoices', key: 'nav.invoices', permission: 'operations.read' },
  { to: '/cabinet/deals', key: 'nav.deals', permission: 'operations.read' },
  { to: '/cabinet/analytics', key: 'nav.analytics' },
  { to: '/cabinet/balance', key: 'nav.balance', permission: 'balance.read' },
  { to: '/cabinet/documents', key: 'nav.documents' },
  { to: '/cabinet/shops', key: 'nav.shops' },
  { to: '/cabinet/api', key: 'nav.api', permission: 'api_keys.manage' },
  { to: '/cabinet/messages', key: 'nav.messages' },
  { to: '/cabinet/support', key: 'nav.support' },
  // The questionnaire holds bank details and passport scans: the administrator's alone.
  { to: '/cabinet/kyc', key: 'nav.kyc', permission: 'settings.manage' },
  { to: '/cabinet/settings', key: 'nav.settings' },
  { to: '/cabinet/employees', key: 'nav.employees', permission: 'employees.manage' },
];

/** Signs out and forgets the session; used by the cabinet and the back-office headers. */
export function useSignOut() {
  const { setMe } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  async function signOut() {
    try {
      await api.delete('/api/cabinet/sessions/current');
      setMe(null);
      navigate('/login', { replace: true });
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }
  return { signOut, error };
}

export function CabinetLayout() {
  const me = useMe();
  const t = useTexts(shellTexts);
  const c = useTexts(commonTexts);
  const { signOut, error } = useSignOut();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();

  // On a phone the menu covers the page, so it closes once the user has picked a section.
  useEffect(() => setMenuOpen(false), [location.pathname]);

  const items = NAV_ITEMS.filter((item) => !item.permission || hasPermission(me, item.permission));
  return (
    <div className="cabinet-layout">
      <a href="#content" className="skip-link">
        {t('skipToContent')}
      </a>
      <header className="topbar">
        <Link to="/cabinet" className="brand" aria-label={t('header.home')}>
          Kopek
        </Link>
        <SandboxBadge />
        <div className="who">
          <span className="who-account">
            <span className="visually-hidden">{t('header.account')}: </span>
            {me.account?.login}
          </span>
          <span className="who-user">
            <span className="visually-hidden">{t('header.user')}: </span>
            {me.user.login}
          </span>
        </div>
        <LanguageSwitch />
        <button type="button" className="button button-quiet" onClick={() => void signOut()}>
          {c('signOut')}
        </button>
        <button
          type="button"
          className="button button-quiet menu-button"
          aria-expanded={menuOpen}
          aria-controls="cabinet-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          {t('nav.menu')}
          <UnreadBadge />
        </button>
      </header>
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
      <div className="cabinet-body">
        <nav id="cabinet-nav" className={menuOpen ? 'sidenav open' : 'sidenav'} aria-label={t('nav.label')}>
          <ul>
            {items.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to}>
                  {t(item.key)}
                  {item.key === 'nav.messages' && <UnreadBadge />}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main id="content" className="cabinet-main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}

/** An installation without real providers must never look real: every cabinet page says "sandbox". */
function SandboxBadge() {
  const t = useTexts(shellTexts);
  const { resource } = useResource<{ isSandbox: boolean }>('/api/cabinet/platform');
  if (resource.status !== 'ready' || !resource.data.isSandbox) return null;
  return (
    <span className="badge badge-sandbox" title={t('sandbox.hint')}>
      {t('sandbox.label')}
    </span>
  );
}
