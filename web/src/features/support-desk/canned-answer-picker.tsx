// The canned-answer select of the reply form: answers of the request's topic first, then general ones,
// then the rest; picking one hands its text, in the merchant's language if it has one, to the reply box.
import { useState } from 'react';
import { useTexts } from '../../lib/i18n';
import type { ItemList } from '../../lib/types';
import { SelectField } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import type { CannedAnswer, DeskTicket } from '../support/support.types';
import { deskTexts } from './support-desk.texts';

/** The text for a merchant of this language; the other language when that is all there is. */
export function cannedText(answer: CannedAnswer, language: 'ru' | 'en'): string {
  const [preferred, other] =
    language === 'en' ? [answer.bodyEn, answer.bodyRu] : [answer.bodyRu, answer.bodyEn];
  return preferred ?? other ?? '';
}

function rank(answer: CannedAnswer, ticket: DeskTicket): number {
  if (answer.category === ticket.topic) return 0;
  return answer.category === null ? 1 : 2;
}

interface CannedAnswerPickerProps {
  ticket: DeskTicket;
  onPick: (text: string) => void;
}

export function CannedAnswerPicker({ ticket, onPick }: CannedAnswerPickerProps) {
  const t = useTexts(deskTexts);
  const { resource } = useResource<ItemList<CannedAnswer>>('/api/backoffice/support/canned-answers');
  const [chosen, setChosen] = useState('');
  if (resource.status !== 'ready' || resource.data.items.length === 0) return null;
  // A stable sort keeps the server's order (by title) within each group.
  const answers = [...resource.data.items].sort((a, b) => rank(a, ticket) - rank(b, ticket));
  return (
    <SelectField
      id="reply-canned"
      label={t('reply.canned')}
      hint={t('reply.cannedHint')}
      value={chosen}
      options={[
        { value: '', label: t('reply.cannedNone') },
        ...answers.map((answer) => ({ value: answer.id, label: answer.title })),
      ]}
      onChange={(id) => {
        setChosen(id);
        const answer = answers.find((item) => item.id === id);
        if (answer) onPick(cannedText(answer, ticket.authorLanguage));
      }}
    />
  );
}
