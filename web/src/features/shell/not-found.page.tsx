import { Link } from 'react-router-dom';
import { useTexts } from '../../lib/i18n';
import { useDocumentTitle } from '../../lib/ui';
import { LanguageSwitch } from './language-switch';
import { shellTexts } from './shell.texts';

/** Standalone it brings its own header; embedded it sits inside the cabinet frame. */
export function NotFoundPage({ embedded = false }: { embedded?: boolean }) {
  const t = useTexts(shellTexts);
  useDocumentTitle(t('notFound.title'));
  const body = (
    <section className="card narrow">
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.text')}</p>
      <p>
        <Link to={embedded ? '/cabinet' : '/'}>{t('notFound.home')}</Link>
      </p>
    </section>
  );
  if (embedded) return body;
  return (
    <div className="public-layout">
      <header className="topbar">
        <Link to="/" className="brand">
          Kopek
        </Link>
        <LanguageSwitch />
      </header>
      <main id="content" className="public-main">
        {body}
      </main>
    </div>
  );
}
