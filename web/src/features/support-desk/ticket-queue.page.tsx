// /backoffice/support: the merchants' requests, the one waiting longest first, with filters (status,
// assignee, topic, overdue) and the figures of the whole filtered set: count, overdue, average and median
// time to the first reply and to resolution.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { formatDateTime } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { ItemList } from '../../lib/types';
import { CheckboxField, EmptyState, ErrorAlert, Loading, SelectField, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { TicketStatusBadge } from '../support/support.parts';
import { supportTexts } from '../support/support.texts';
import {
  TICKET_STATUSES,
  TICKET_TOPICS,
  type SupportAgent,
  type TicketQueue,
  type TicketStatus,
  type TicketTopic,
  type TimeFigures,
} from '../support/support.types';
import { formatDuration } from './durations';
import { deskTexts } from './support-desk.texts';

interface QueueFilter {
  status: TicketStatus | 'all';
  /** '' for anyone, 'me', 'none', or an agent's id. */
  assignee: string;
  topic: TicketTopic | '';
  overdue: boolean;
}

function queuePath(filter: QueueFilter): string {
  const query = new URLSearchParams({ status: filter.status });
  if (filter.assignee) query.set('assignee', filter.assignee);
  if (filter.topic) query.set('topic', filter.topic);
  if (filter.overdue) query.set('overdue', 'true');
  return `/api/backoffice/support/tickets?${query.toString()}`;
}

export function TicketQueuePage() {
  const t = useTexts(deskTexts);
  useDocumentTitle(t('queue.title'));
  const [filter, setFilter] = useState<QueueFilter>({
    status: 'open',
    assignee: '',
    topic: '',
    overdue: false,
  });
  const { resource } = useResource<TicketQueue>(queuePath(filter));
  return (
    <>
      <h1>{t('queue.title')}</h1>
      <p className="lead">{t('queue.intro')}</p>
      <QueueFilters
        filter={filter}
        onChange={setFilter}
        replyTargetHours={resource.status === 'ready' ? resource.data.replyTargetHours : 24}
      />
      {resource.status === 'loading' && <Loading label={t('queue.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && (
        <>
          <QueueFigures stats={resource.data.stats} />
          {resource.data.items.length === 0 ? (
            <EmptyState title={t('queue.empty')} />
          ) : (
            <QueueTable items={resource.data.items} />
          )}
        </>
      )}
    </>
  );
}

interface QueueFiltersProps {
  filter: QueueFilter;
  onChange: (filter: QueueFilter) => void;
  replyTargetHours: number;
}

function QueueFilters({ filter, onChange, replyTargetHours }: QueueFiltersProps) {
  const t = useTexts(deskTexts);
  const s = useTexts(supportTexts);
  const { resource: agents } = useResource<ItemList<SupportAgent>>('/api/backoffice/support/agents');
  const agentOptions = agents.status === 'ready' ? agents.data.items : [];
  return (
    <div className="field-row">
      <SelectField
        id="desk-status"
        className="grow"
        label={t('column.status')}
        value={filter.status}
        options={[
          { value: 'all' as const, label: t('filter.all') },
          ...TICKET_STATUSES.map((value) => ({ value, label: t(`status.${value}`) })),
        ]}
        onChange={(status) => onChange({ ...filter, status })}
      />
      <SelectField
        id="desk-assignee"
        className="grow"
        label={t('filter.assignee')}
        value={filter.assignee}
        options={[
          { value: '', label: t('filter.anyone') },
          { value: 'me', label: t('filter.me') },
          { value: 'none', label: t('filter.nobody') },
          ...agentOptions.map((agent) => ({ value: agent.id, label: agent.login })),
        ]}
        onChange={(assignee) => onChange({ ...filter, assignee })}
      />
      <SelectField
        id="desk-topic"
        className="grow"
        label={t('filter.topic')}
        value={filter.topic}
        options={[
          { value: '' as const, label: t('filter.all') },
          ...TICKET_TOPICS.map((value) => ({ value, label: s(`topic.${value}`) })),
        ]}
        onChange={(topic) => onChange({ ...filter, topic })}
      />
      <CheckboxField
        id="desk-overdue"
        label={t('filter.overdue')}
        hint={t('filter.overdueHint', { hours: replyTargetHours })}
        checked={filter.overdue}
        onChange={(overdue) => onChange({ ...filter, overdue })}
      />
    </div>
  );
}

function QueueFigures({ stats }: { stats: TicketQueue['stats'] }) {
  const t = useTexts(deskTexts);
  const figures = (time: TimeFigures) =>
    time.count === 0
      ? t('stats.none')
      : t('stats.figures', {
          average: formatDuration(time.averageSeconds, t),
          median: formatDuration(time.medianSeconds, t),
          count: time.count,
        });
  return (
    <dl className="kpis" aria-label={t('stats.title')}>
      <div className="card kpi">
        <dt>{t('stats.total')}</dt>
        <dd className="kpi-value">{stats.total}</dd>
      </div>
      <div className="card kpi">
        <dt>{t('stats.overdue')}</dt>
        <dd className="kpi-value">{stats.overdue}</dd>
      </div>
      <div className="card kpi kpi-wide">
        <dt>{t('stats.firstReply')}</dt>
        <dd>{figures(stats.firstReply)}</dd>
      </div>
      <div className="card kpi kpi-wide">
        <dt>{t('stats.resolution')}</dt>
        <dd>{figures(stats.resolution)}</dd>
      </div>
    </dl>
  );
}

function QueueTable({ items }: { items: TicketQueue['items'] }) {
  const t = useTexts(deskTexts);
  const s = useTexts(supportTexts);
  const { language } = useLanguage();
  return (
    <div className="card flush table-scroll">
      <table className="table responsive-table">
        <thead>
          <tr>
            <th scope="col">{t('column.subject')}</th>
            <th scope="col">{t('column.account')}</th>
            <th scope="col">{t('column.assignee')}</th>
            <th scope="col">{t('column.status')}</th>
            <th scope="col">{t('column.updated')}</th>
            <th scope="col">{t('column.firstReplyTime')}</th>
            <th scope="col">{t('column.resolutionTime')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((ticket) => (
            <tr key={ticket.id}>
              <td data-label={t('column.subject')}>
                <Link to={`/backoffice/support/${encodeURIComponent(ticket.id)}`}>{ticket.subject}</Link>
                <div className="muted">
                  {s(`topic.${ticket.topic}`)}
                  {ticket.isOverdue && (
                    <>
                      {' '}
                      <span className="badge badge-rejected">{t('overdue.badge')}</span>
                    </>
                  )}
                </div>
              </td>
              <td data-label={t('column.account')}>{ticket.accountLogin}</td>
              <td data-label={t('column.assignee')}>{ticket.assignee?.login ?? t('nobody')}</td>
              <td data-label={t('column.status')}>
                <TicketStatusBadge status={ticket.status} label={t(`status.${ticket.status}`)} />
              </td>
              <td data-label={t('column.updated')}>{formatDateTime(ticket.updatedAt, language)}</td>
              <td data-label={t('column.firstReplyTime')}>{formatDuration(ticket.firstReplySeconds, t)}</td>
              <td data-label={t('column.resolutionTime')}>{formatDuration(ticket.resolutionSeconds, t)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
