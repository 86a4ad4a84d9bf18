/**
 * Settings → e-mail notifications: per category, whether the signed-in person gets e-mails (payments:
 * each payment, a daily digest or none). Each change is saved at once. Security cannot be turned off.
 */
import { useEffect, useRef, useState } from 'react';
import { useLocation } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { useTexts } from '../../lib/i18n';
import { ErrorAlert, Loading, SelectField, SuccessNotice } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { useMe } from '../shell/session';
import type { Delivery, Subscription } from './message.types';
import { messageTexts } from './messages.texts';
import './messages.css';

export function NotificationsSection() {
  const t = useTexts(messageTexts);
  const me = useMe();
  const location = useLocation();
  const sectionRef = useRef<HTMLElement>(null);
  const { resource, setData } = useResource<{ items: Subscription[] }>('/api/cabinet/message-subscriptions');
  // The category saved last, not a text: the notice follows a change of language.
  const [savedCategory, setSavedCategory] = useState<Subscription['category'] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState<string | null>(null);

  // The settings link in every e-mail ends with #notifications: bring the section into view.
  const isReady = resource.status === 'ready';
  useEffect(() => {
    if (isReady && location.hash === '#notifications') sectionRef.current?.scrollIntoView();
  }, [isReady, location.hash]);

  async function save(item: Subscription, delivery: Delivery) {
    if (resource.status !== 'ready') return;
    const previous = resource.data;
    const replace = (value: Delivery) => ({
      items: previous.items.map((entry) =>
        entry.category === item.category ? { ...entry, delivery: value } : entry,
      ),
    });
    setData(replace(delivery));
    setSaving(item.category);
    setSavedCategory(null);
    setFailure(null);
    try {
      await api.put(`/api/cabinet/message-subscriptions/${item.category}`, { delivery });
      setSavedCategory(item.category);
    } catch (error) {
      setData(previous);
      setFailure(errorMessage(error));
    } finally {
      setSaving(null);
    }
  }

  return (
    <section className="card" id="notifications" ref={sectionRef} aria-labelledby="notifications-title">
      <h2 id="notifications-title">{t('settings.title')}</h2>
      <p className="muted">{t('settings.text', { email: me.user.email })}</p>
      {resource.status === 'loading' && <Loading label={t('settings.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && (
        <ul className="subscription-list">
          {resource.data.items.map((item) => (
            <li key={item.category} className="subscription-item">
              {item.choices.length > 2 ? (
                <SelectField
                  id={`subscription-${item.category}`}
                  className="subscription-select"
                  label={t(`category.${item.category}`)}
                  hint={t(`about.${item.category}`)}
                  value={item.delivery}
                  disabled={saving === item.category}
                  options={item.choices.map((choice) => ({ value: choice, label: t(`delivery.${choice}`) }))}
                  onChange={(delivery) => void save(item, delivery)}
                />
              ) : (
                <div className="subscription-toggle">
                  <input
                    type="checkbox"
                    id={`subscription-${item.category}`}
                    checked={item.delivery !== 'off'}
                    disabled={item.isLocked || saving === item.category}
                    aria-describedby={`subscription-${item.category}-hint`}
                    onChange={(event) => void save(item, event.target.checked ? 'immediate' : 'off')}
                  />
                  <div>
                    <label htmlFor={`subscription-${item.category}`}>{t(`category.${item.category}`)}</label>
                    <p id={`subscription-${item.category}-hint`} className="hint">
                      {t(`about.${item.category}`)}
                    </p>
                  </div>
                  {item.isLocked && <span className="badge message-always">{t('settings.alwaysOn')}</span>}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <SuccessNotice
        message={savedCategory ? t('settings.saved', { category: t(`category.${savedCategory}`) }) : null}
      />
      <ErrorAlert message={failure} />
    </section>
  );
}
