// /backoffice/broadcasts: write a news item or an announcement to all merchants or chosen accounts, and
// see what was sent and how far its delivery got.
import { useEffect, useState, type FormEvent } from 'react';
import { api, errorMessage, fieldMessages } from '../../lib/api';
import { useLanguage, useTexts } from '../../lib/i18n';
import {
  EmptyState,
  ErrorAlert,
  Loading,
  RadioGroupField,
  SelectField,
  SuccessNotice,
  TextAreaField,
  TextField,
  useDocumentTitle,
} from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { formatShortMoment } from '../operations/operation-format';
import { broadcastTexts } from './broadcasts.texts';

type Category = 'news' | 'payment_changes';
interface Broadcast {
  id: string;
  category: Category;
  title: { ru: string; en: string };
  audience: 'all' | 'chosen';
  status: 'sending' | 'sent';
  accountsTotal: number;
  accountsDone: number;
  mailsEnqueued: number;
  createdAt: string;
}

const EMPTY = { titleRu: '', titleEn: '', bodyRu: '', bodyEn: '', accounts: '' };

export function BroadcastsPage() {
  const t = useTexts(broadcastTexts);
  const { language } = useLanguage();
  useDocumentTitle(t('title'));
  const { resource, reload, setData } = useResource<{ items: Broadcast[] }>('/api/backoffice/broadcasts');
  const [category, setCategory] = useState<Category>('news');
  const [audience, setAudience] = useState<'all' | 'chosen'>('all');
  const [form, setForm] = useState(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [isSending, setIsSending] = useState(false);
  const isDelivering =
    resource.status === 'ready' && resource.data.items.some((item) => item.status === 'sending');

  // While a broadcast is being delivered, its progress is read again every two seconds (in place).
  useEffect(() => {
    if (!isDelivering) return;
    const timer = setTimeout(() => {
      api.get<{ items: Broadcast[] }>('/api/backoffice/broadcasts').then(setData, () => undefined);
    }, 2_000);
    return () => clearTimeout(timer);
  }, [isDelivering, resource, setData]);

  async function send(event: FormEvent) {
    event.preventDefault();
    setIsSending(true);
    setErrors({});
    setFailure(null);
    setNotice(null);
    try {
      const accounts = audience === 'chosen' ? form.accounts.split(/[\s,;]+/).filter(Boolean) : undefined;
      const sent = await api.post<Broadcast>('/api/backoffice/broadcasts', {
        category,
        title: { ru: form.titleRu, en: form.titleEn },
        body: { ru: form.bodyRu, en: form.bodyEn },
        ...(accounts ? { accounts } : {}),
      });
      setNotice(t('sent', { title: sent.title[language] }));
      setForm(EMPTY);
      reload();
    } catch (error) {
      setErrors(fieldMessages(error));
      setFailure(errorMessage(error));
    } finally {
      setIsSending(false);
    }
  }

  const text = (name: keyof typeof EMPTY) => ({
    value: form[name],
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [name]: event.target.value }),
  });
  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t('intro')}</p>
      <form className="card" onSubmit={(event) => void send(event)} aria-labelledby="broadcast-form-title">
        <h2 id="broadcast-form-title">{t('form.title')}</h2>
        <SelectField
          id="broadcast-category"
          label={t('category')}
          value={category}
          options={[
            { value: 'news', label: t('category.news') },
            { value: 'payment_changes', label: t('category.payment_changes') },
          ]}
          onChange={setCategory}
        />
        <div className="field-row">
          <TextField
            id="broadcast-title-ru"
            className="grow"
            label={t('titleRu')}
            error={errors['title.ru']}
            maxLength={200}
            {...text('titleRu')}
          />
          <TextField
            id="broadcast-title-en"
            className="grow"
            label={t('titleEn')}
            error={errors['title.en']}
            maxLength={200}
            {...text('titleEn')}
          />
        </div>
        <TextAreaField
          id="broadcast-body-ru"
          label={t('bodyRu')}
          hint={t('bodyHint')}
          error={errors['body.ru']}
          rows={5}
          {...text('bodyRu')}
        />
        <TextAreaField
          id="broadcast-body-en"
          label={t('bodyEn')}
          error={errors['body.en']}
          rows={5}
          {...text('bodyEn')}
        />
        <RadioGroupField
          id="broadcast-audience"
          name="audience"
          label={t('audience')}
          value={audience}
          options={[
            { value: 'all', label: t('audience.all') },
            { value: 'chosen', label: t('audience.chosen') },
          ]}
          onChange={setAudience}
        />
        {audience === 'chosen' && (
          <TextAreaField
            id="broadcast-accounts"
            label={t('accounts')}
            hint={t('accountsHint')}
            error={errors.accounts}
            rows={3}
            {...text('accounts')}
          />
        )}
        {failure && Object.keys(errors).length === 0 && <ErrorAlert message={failure} />}
        <SuccessNotice message={notice} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={isSending}>
            {t('send')}
          </button>
        </div>
      </form>
      <h2>{t('history.title')}</h2>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && resource.data.items.length === 0 && (
        <EmptyState title={t('history.empty')} />
      )}
      {resource.status === 'ready' && resource.data.items.length > 0 && (
        <div className="card flush table-scroll">
          <table className="table responsive-table">
            <thead>
              <tr>
                <th scope="col">{t('history.at')}</th>
                <th scope="col">{t('history.subject')}</th>
                <th scope="col">{t('history.audience')}</th>
                <th scope="col" className="numeric">
                  {t('history.progress')}
                </th>
                <th scope="col" className="numeric">
                  {t('history.mails')}
                </th>
              </tr>
            </thead>
            <tbody>
              {resource.data.items.map((item) => (
                <tr key={item.id}>
                  <td data-label={t('history.at')}>{formatShortMoment(item.createdAt, language)}</td>
                  <td data-label={t('history.subject')}>
                    {item.title[language]} <span className="muted">· {t(`category.${item.category}`)}</span>
                  </td>
                  <td data-label={t('history.audience')}>{t(`audience.${item.audience}`)}</td>
                  <td data-label={t('history.progress')} className="numeric">
                    {t('history.progressValue', { done: item.accountsDone, total: item.accountsTotal })}
                    {item.status === 'sending' && <span className="muted"> ({t('status.sending')})</span>}
                  </td>
                  <td data-label={t('history.mails')} className="numeric">
                    {item.mailsEnqueued}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
