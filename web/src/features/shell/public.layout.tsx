// Frame of the pages a visitor sees before signing in: registration, sign-in, links, requirements.
import { Link, Outlet } from 'react-router-dom';
import { LanguageSwitch } from './language-switch';

export function PublicLayout() {
  return (
    <div className="public-layout">
      <header className="topbar">
        <Link to="/login" className="brand">
          Kopek
        </Link>
        <LanguageSwitch />
      </header>
      <main id="content" className="public-main">
        <Outlet />
      </main>
    </div>
  );
}
