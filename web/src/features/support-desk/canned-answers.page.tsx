// /backoffice/canned-answers: the desk's ready answers. Support agents and administrators add, edit and
// delete them; a request's reply form offers them (see canned-answer-picker.tsx).
import { useState, type FormEvent } from 'react';
import { api, errorMessage, fieldMessages } from '../../lib/api';
import { useTexts } from '../../lib/i18n';
import type { ItemList } from '../../lib/types';
import {
  EmptyState,
  ErrorAlert,
  Loading,
  SelectField,
  SuccessNotice,
  TextAreaField,
  TextField,
  useDocumentTitle,
} from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { supportTexts } from '../support/support.texts';
import { TICKET_TOPICS, type CannedAnswer, type TicketTopic } from '../support/support.types';
import { deskTexts } from './support-desk.texts';
import '../support/support.css';

const PATH = '/api/backoffice/support/canned-answers';

interface Draft {
  title: string;
  bodyRu: string;
  bodyEn: string;
  category: TicketTopic | '';
}

const EMPTY_DRAFT: Draft = { title: '', bodyRu: '', bodyEn: '', category: '' };

function draftOf(answer: CannedAnswer): Draft {
  return {
    title: answer.title,
    bodyRu: answer.bodyRu ?? '',
    bodyEn: answer.bodyEn ?? '',
    category: answer.category ?? '',
  };
}

export function CannedAnswersPage() {
  const t = useTexts(deskTexts);
  useDocumentTitle(t('canned.title'));
  const { resource, reload } = useResource<ItemList<CannedAnswer>>(PATH);
  const [editing, setEditing] = useState<CannedAnswer | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function remove(answer: CannedAnswer) {
    if (!window.confirm(t('canned.confirmDelete', { title: answer.title }))) return;
    setFailure(null);
    try {
      await api.delete(`${PATH}/${encodeURIComponent(answer.id)}`);
      if (editing?.id === answer.id) setEditing(null);
      setNotice(t('canned.deleted'));
      reload();
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  function saved(message: string) {
    setEditing(null);
    setNotice(message);
    reload();
  }

  return (
    <>
      <h1>{t('canned.title')}</h1>
      <p className="lead">{t('canned.intro')}</p>
      <SuccessNotice message={notice} />
      <ErrorAlert message={failure} />
      {resource.status === 'loading' && <Loading label={t('canned.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' &&
        (resource.data.items.length === 0 ? (
          <EmptyState title={t('canned.empty')} />
        ) : (
          <CannedAnswerList
            items={resource.data.items}
            onEdit={(answer) => {
              setNotice(null);
              setEditing(answer);
            }}
            onDelete={(answer) => void remove(answer)}
          />
        ))}
      <CannedAnswerForm
        // A new key starts the form over with the chosen answer (or empty for a new one).
        key={editing?.id ?? 'new'}
        answer={editing}
        onSaved={saved}
        onCancel={() => setEditing(null)}
      />
    </>
  );
}

interface CannedAnswerListProps {
  items: CannedAnswer[];
  onEdit: (answer: CannedAnswer) => void;
  onDelete: (answer: CannedAnswer) => void;
}

function CannedAnswerList({ items, onEdit, onDelete }: CannedAnswerListProps) {
  const t = useTexts(deskTexts);
  const s = useTexts(supportTexts);
  return (
    <div className="card flush table-scroll">
      <table className="table responsive-table">
        <thead>
          <tr>
            <th scope="col">{t('canned.name')}</th>
            <th scope="col">{t('canned.category')}</th>
            <th scope="col">{t('canned.languages')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('canned.change')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((answer) => (
            <tr key={answer.id}>
              <td data-label={t('canned.name')}>{answer.title}</td>
              <td data-label={t('canned.category')}>
                {answer.category ? s(`topic.${answer.category}`) : t('canned.anyCategory')}
              </td>
              <td data-label={t('canned.languages')}>
                {[answer.bodyRu && 'RU', answer.bodyEn && 'EN'].filter(Boolean).join(' · ')}
              </td>
              <td>
                <div className="actions">
                  <button
                    type="button"
                    className="button"
                    aria-label={`${t('canned.change')}: ${answer.title}`}
                    onClick={() => onEdit(answer)}
                  >
                    {t('canned.change')}
                  </button>
                  <button
                    type="button"
                    className="button"
                    aria-label={`${t('canned.delete')}: ${answer.title}`}
                    onClick={() => onDelete(answer)}
                  >
                    {t('canned.delete')}
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface CannedAnswerFormProps {
  answer: CannedAnswer | null;
  onSaved: (message: string) => void;
  onCancel: () => void;
}

function CannedAnswerForm({ answer, onSaved, onCancel }: CannedAnswerFormProps) {
  const t = useTexts(deskTexts);
  const s = useTexts(supportTexts);
  const [draft, setDraft] = useState<Draft>(answer ? draftOf(answer) : EMPTY_DRAFT);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setErrors({});
    setFailure(null);
    const body = { ...draft, category: draft.category || null };
    try {
      if (answer) await api.put(`${PATH}/${encodeURIComponent(answer.id)}`, body);
      else await api.post(PATH, body);
      onSaved(t(answer ? 'canned.saved' : 'canned.created'));
    } catch (error) {
      const fields = fieldMessages(error);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setFailure(errorMessage(error));
    }
  }

  return (
    <form className="card form-card" onSubmit={(event) => void submit(event)} noValidate>
      <h2>{answer ? t('canned.edit', { title: answer.title }) : t('canned.new')}</h2>
      <ErrorAlert message={failure} />
      <TextField
        id="canned-title"
        label={t('canned.name')}
        value={draft.title}
        maxLength={200}
        error={errors.title}
        onChange={(event) => setDraft({ ...draft, title: event.target.value })}
      />
      <SelectField
        id="canned-category"
        label={t('canned.category')}
        value={draft.category}
        options={[
          { value: '' as const, label: t('canned.anyCategory') },
          ...TICKET_TOPICS.map((value) => ({ value, label: s(`topic.${value}`) })),
        ]}
        error={errors.category}
        onChange={(category) => setDraft({ ...draft, category })}
      />
      <TextAreaField
        id="canned-body-ru"
        label={t('canned.bodyRu')}
        hint={t('canned.bodyHint')}
        value={draft.bodyRu}
        rows={5}
        maxLength={10000}
        error={errors.bodyRu}
        onChange={(event) => setDraft({ ...draft, bodyRu: event.target.value })}
      />
      <TextAreaField
        id="canned-body-en"
        label={t('canned.bodyEn')}
        value={draft.bodyEn}
        rows={5}
        maxLength={10000}
        error={errors.bodyEn}
        onChange={(event) => setDraft({ ...draft, bodyEn: event.target.value })}
      />
      <div className="actions">
        <button type="submit" className="button button-primary">
          {answer ? t('canned.save') : t('canned.create')}
        </button>
        {answer && (
          <button type="button" className="button" onClick={onCancel}>
            {t('canned.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
