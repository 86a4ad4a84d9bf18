// /cabinet/shops: every shop of the account with its status.
import { Link } from 'react-router-dom';
import { useTexts } from '../../lib/i18n';
import type { ItemList, Shop } from '../../lib/types';
import { EmptyState, ErrorAlert, Loading, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { hasPermission, useMe } from '../shell/session';
import { ShopTable } from './shop-table';
import { shopTexts } from './shops.texts';

export function ShopsPage() {
  const t = useTexts(shopTexts);
  useDocumentTitle(t('list.title'));
  const me = useMe();
  const { resource } = useResource<ItemList<Shop>>('/api/cabinet/shops');
  const canCreate = hasPermission(me, 'shops.create');
  return (
    <>
      <div className="page-head">
        <h1>{t('list.title')}</h1>
        {canCreate && (
          <Link to="/cabinet/shops/new" className="button button-primary">
            {t('list.create')}
          </Link>
        )}
      </div>
      {resource.status === 'loading' && <Loading label={t('list.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' &&
        (resource.data.items.length > 0 ? (
          <div className="card flush">
            <ShopTable shops={resource.data.items} />
          </div>
        ) : (
          <ShopsEmptyState canCreate={canCreate} />
        ))}
    </>
  );
}

export function ShopsEmptyState({ canCreate, headingLevel }: { canCreate: boolean; headingLevel?: 2 | 3 }) {
  const t = useTexts(shopTexts);
  return (
    <EmptyState title={t('list.emptyTitle')} headingLevel={headingLevel}>
      <p>{t('list.emptyText')}</p>
      {canCreate && (
        <Link to="/cabinet/shops/new" className="button button-primary">
          {t('list.create')}
        </Link>
      )}
    </EmptyState>
  );
}
