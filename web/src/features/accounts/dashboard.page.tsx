// /cabinet: greeting, the account's state and its shops, with the way to create the first one.
import { Link } from 'react-router-dom';
import { defineTexts, useTexts } from '../../lib/i18n';
import type { AccountStatus, ItemList, Shop } from '../../lib/types';
import { ErrorAlert, Loading, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { hasPermission, useMe } from '../shell/session';
import { ShopsEmptyState } from '../shops/shops.page';
import { ShopTable } from '../shops/shop-table';

const texts = defineTexts({
  ru: {
    title: 'Главная',
    greeting: 'Здравствуйте, {login}!',
    account: 'Аккаунт {login}',
    'status.label': 'Статус аккаунта',
    'status.awaiting_confirmation': 'Ожидает подтверждения',
    'status.active': 'Активен',
    'status.blocked': 'Заблокирован',
    'explain.awaiting_confirmation':
      'Подтвердите e-mail по ссылке из письма, чтобы пользоваться всеми возможностями.',
    'explain.active': 'Аккаунт работает. Создавайте магазины и подключайте их к приёму платежей.',
    'explain.blocked':
      'Аккаунт заблокирован: платежи не принимаются. Напишите в поддержку, чтобы узнать причину.',
    shops: 'Магазины',
    create: 'Создать магазин',
    loading: 'Загружаем магазины…',
  },
  en: {
    title: 'Home',
    greeting: 'Hello, {login}!',
    account: 'Account {login}',
    'status.label': 'Account status',
    'status.awaiting_confirmation': 'Awaiting confirmation',
    'status.active': 'Active',
    'status.blocked': 'Blocked',
    'explain.awaiting_confirmation': 'Confirm your e-mail with the link we sent to use every feature.',
    'explain.active': 'Your account is working. Create shops and connect them to accept payments.',
    'explain.blocked': 'The account is blocked: payments are not accepted. Contact support to learn why.',
    shops: 'Shops',
    create: 'Create a shop',
    loading: 'Loading shops…',
  },
});

const STATUS_BADGE: Record<AccountStatus, string> = {
  awaiting_confirmation: 'badge badge-moderation',
  active: 'badge badge-active',
  blocked: 'badge badge-rejected',
};

export function DashboardPage() {
  const t = useTexts(texts);
  useDocumentTitle(t('title'));
  const me = useMe();
  const account = me.account;
  return (
    <>
      <h1>{t('greeting', { login: me.user.login })}</h1>
      {account && (
        <section className="card" aria-labelledby="account-title">
          <h2 id="account-title">{t('account', { login: account.login })}</h2>
          <p>
            {t('status.label')}:{' '}
            <span className={STATUS_BADGE[account.status]}>{t(`status.${account.status}`)}</span>
          </p>
          <p className="muted">{t(`explain.${account.status}`)}</p>
        </section>
      )}
      {hasPermission(me, 'shops.read') && <DashboardShops canCreate={hasPermission(me, 'shops.create')} />}
    </>
  );
}

function DashboardShops({ canCreate }: { canCreate: boolean }) {
  const t = useTexts(texts);
  const { resource } = useResource<ItemList<Shop>>('/api/cabinet/shops');
  return (
    <section aria-labelledby="dashboard-shops">
      <div className="page-head">
        <h2 id="dashboard-shops">{t('shops')}</h2>
        {canCreate && resource.status === 'ready' && resource.data.items.length > 0 && (
          <Link to="/cabinet/shops/new" className="button button-primary">
            {t('create')}
          </Link>
        )}
      </div>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' &&
        (resource.data.items.length > 0 ? (
          <div className="card flush">
            <ShopTable shops={resource.data.items} />
          </div>
        ) : (
          <ShopsEmptyState canCreate={canCreate} headingLevel={3} />
        ))}
    </section>
  );
}
