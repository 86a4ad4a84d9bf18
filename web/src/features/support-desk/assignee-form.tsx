// Who handles a request: pick an agent (or nobody), or take it yourself. The merchant never sees it.
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useTexts } from '../../lib/i18n';
import type { ItemList } from '../../lib/types';
import { ErrorAlert, SelectField, SuccessNotice } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { useMe } from '../shell/session';
import type { DeskTicket, SupportAgent } from '../support/support.types';
import { deskTexts } from './support-desk.texts';

interface AssigneeFormProps {
  ticket: DeskTicket;
  path: string;
  onDone: (ticket: DeskTicket) => void;
}

export function AssigneeForm({ ticket, path, onDone }: AssigneeFormProps) {
  const t = useTexts(deskTexts);
  const me = useMe();
  const { resource: agents } = useResource<ItemList<SupportAgent>>('/api/backoffice/support/agents');
  const [assignee, setAssignee] = useState(ticket.assignee?.id ?? '');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [isDone, setDone] = useState(false);

  async function save(assigneeUserId: string) {
    setFailure(null);
    setDone(false);
    try {
      const saved = await api.post<DeskTicket>(`${path}/assignee`, {
        assigneeUserId: assigneeUserId || null,
      });
      setAssignee(saved.assignee?.id ?? '');
      setErrors({});
      setDone(true);
      onDone(saved);
    } catch (error) {
      const fields = showFieldErrors(error, setErrors, [['assigneeUserId', 'desk-ticket-assignee']]);
      if (Object.keys(fields).length === 0) setFailure(errorMessage(error));
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void save(assignee);
  }

  const options = agents.status === 'ready' ? agents.data.items : [];
  return (
    <form className="card form-card" onSubmit={submit} noValidate>
      <h2>{t('assign.title')}</h2>
      <SuccessNotice message={isDone ? t('assign.saved') : null} />
      <ErrorAlert message={failure} />
      <SelectField
        id="desk-ticket-assignee"
        label={t('assign.label')}
        value={assignee}
        options={[
          { value: '', label: t('nobody') },
          ...options.map((agent) => ({ value: agent.id, label: agent.login })),
        ]}
        onChange={setAssignee}
        error={errors.assigneeUserId}
      />
      <div className="actions">
        <button type="submit" className="button">
          {t('assign.submit')}
        </button>
        {ticket.assignee?.id !== me.user.id && (
          <button type="button" className="button" onClick={() => void save(me.user.id)}>
            {t('assign.takeIt')}
          </button>
        )}
      </div>
    </form>
  );
}
