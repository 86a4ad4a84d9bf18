// /cabinet/messages/:id: one message. Opening it marks it read; its link leads to what it is about.
import { useEffect } from 'react';
import { Link, useLocation, useParams } from 'react-router-dom';
import { api } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import { ErrorAlert, Loading, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import type { MessageDetails } from './message.types';
import { messageTexts } from './messages.texts';
import { notifyUnreadChanged } from './unread-count';
import './messages.css';

type LinkKey = 'link.operation' | 'link.operations' | 'link.shop' | 'link.balance' | 'openLink';

/** What the button under a message says, from where it leads. */
function linkLabel(link: string): LinkKey {
  if (link.startsWith('/cabinet/operations/')) return 'link.operation';
  if (link === '/cabinet/operations') return 'link.operations';
  if (link.startsWith('/cabinet/shops/')) return 'link.shop';
  if (link.startsWith('/cabinet/balance')) return 'link.balance';
  return 'openLink';
}

export function MessagePage() {
  const t = useTexts(messageTexts);
  const { language } = useLanguage();
  const { id = '' } = useParams();
  const location = useLocation();
  const fromList = (location.state as { fromList?: string } | null)?.fromList ?? '';
  const { resource } = useResource<MessageDetails>(`/api/cabinet/messages/${encodeURIComponent(id)}`);
  const message = resource.status === 'ready' ? resource.data : null;
  useDocumentTitle(message ? message.title[language] : t('title'));

  useEffect(() => {
    if (!message || message.isRead) return;
    api.post(`/api/cabinet/messages/${encodeURIComponent(message.id)}/read`).then(
      () => notifyUnreadChanged(),
      // Not marked this time: it stays unread and is marked when opened again.
      () => undefined,
    );
  }, [message]);

  return (
    <>
      <p className="breadcrumb">
        <Link to={`/cabinet/messages${fromList}`}>← {t('back')}</Link>
      </p>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && (
        <>
          <ErrorAlert message={resource.message} />
          <p className="muted">{t('notFoundText')}</p>
        </>
      )}
      {message && (
        <article className="card message-article" aria-labelledby="message-title">
          <div className="message-article-meta">
            <span className={`badge message-category message-category-${message.category}`}>
              {t(`category.${message.category}`)}
            </span>
            {message.isPersonal && <span className="badge message-personal">{t('personal')}</span>}
            <time dateTime={message.createdAt}>{formatDateTime(message.createdAt, language)}</time>
          </div>
          <h1 id="message-title">{message.title[language]}</h1>
          <div className="message-body">
            {message.body[language]
              .split(/\n{2,}/)
              .filter((paragraph) => paragraph.trim() !== '')
              .map((paragraph, index) => (
                <p key={index}>{paragraph}</p>
              ))}
          </div>
          {message.link && (
            <div className="actions">
              <Link to={message.link} className="button button-primary">
                {t(linkLabel(message.link))}
              </Link>
            </div>
          )}
        </article>
      )}
    </>
  );
}
