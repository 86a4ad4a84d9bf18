// /backoffice/support: the merchants' requests by status, the one waiting longest first.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { formatDateTime } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { ItemList } from '../../lib/types';
import { EmptyState, ErrorAlert, Loading, SelectField, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { TicketStatusBadge } from '../support/support.parts';
import { supportTexts } from '../support/support.texts';
import { TICKET_STATUSES, type DeskTicketSummary, type TicketStatus } from '../support/support.types';
import { deskTexts } from './support-desk.texts';

export function TicketQueuePage() {
  const t = useTexts(deskTexts);
  const s = useTexts(supportTexts);
  const { language } = useLanguage();
  useDocumentTitle(t('queue.title'));
  const [status, setStatus] = useState<TicketStatus>('open');
  const { resource } = useResource<ItemList<DeskTicketSummary>>(
    `/api/backoffice/support/tickets?status=${status}`,
  );
  return (
    <>
      <h1>{t('queue.title')}</h1>
      <p className="lead">{t('queue.intro')}</p>
      <SelectField
        id="desk-status"
        label={t('column.status')}
        value={status}
        options={TICKET_STATUSES.map((value) => ({ value, label: t(`status.${value}`) }))}
        onChange={setStatus}
      />
      {resource.status === 'loading' && <Loading label={t('queue.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' &&
        (resource.data.items.length === 0 ? (
          <EmptyState title={t('queue.empty')} />
        ) : (
          <div className="card flush">
            <table className="table responsive-table">
              <thead>
                <tr>
                  <th scope="col">{t('column.subject')}</th>
                  <th scope="col">{t('column.account')}</th>
                  <th scope="col">{t('column.status')}</th>
                  <th scope="col">{t('column.updated')}</th>
                  <th scope="col">{t('column.firstReply')}</th>
                </tr>
              </thead>
              <tbody>
                {resource.data.items.map((ticket) => (
                  <tr key={ticket.id}>
                    <td data-label={t('column.subject')}>
                      <Link to={`/backoffice/support/${encodeURIComponent(ticket.id)}`}>
                        {ticket.subject}
                      </Link>
                      <div className="muted">{s(`topic.${ticket.topic}`)}</div>
                    </td>
                    <td data-label={t('column.account')}>{ticket.accountLogin}</td>
                    <td data-label={t('column.status')}>
                      <TicketStatusBadge status={ticket.status} label={t(`status.${ticket.status}`)} />
                    </td>
                    <td data-label={t('column.updated')}>{formatDateTime(ticket.updatedAt, language)}</td>
                    <td data-label={t('column.firstReply')}>
                      {ticket.firstRepliedAt ? formatDateTime(ticket.firstRepliedAt, language) : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </>
  );
}
