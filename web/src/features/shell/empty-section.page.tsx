/**
 * Sections whose data does not exist yet for a new account. They say honestly that there is nothing
 * to show and when something will appear, instead of showing invented figures.
 */
import { useTexts } from '../../lib/i18n';
import { EmptyState, useDocumentTitle } from '../../lib/ui';
import { shellTexts } from './shell.texts';

export type EmptySection = 'operations' | 'analytics' | 'balance' | 'documents' | 'messages' | 'support';

export function EmptySectionPage({ section }: { section: EmptySection }) {
  const t = useTexts(shellTexts);
  useDocumentTitle(t(`${section}.title`));
  return (
    <>
      <h1>{t(`${section}.title`)}</h1>
      <EmptyState title={t(`${section}.empty`)}>
        <p>{t(`${section}.text`)}</p>
      </EmptyState>
    </>
  );
}

export function ForbiddenPage() {
  const t = useTexts(shellTexts);
  useDocumentTitle(t('forbidden.title'));
  return (
    <>
      <h1>{t('forbidden.title')}</h1>
      <p>{t('forbidden.text')}</p>
    </>
  );
}
