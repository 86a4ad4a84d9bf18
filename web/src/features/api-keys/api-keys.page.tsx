// /cabinet/api: a shop's API keys for the JSON API v1 and its webhook endpoints with their deliveries.
import { Link, useSearchParams } from 'react-router-dom';
import { useTexts } from '../../lib/i18n';
import type { ItemList, Shop } from '../../lib/types';
import { EmptyState, ErrorAlert, Loading, SelectField, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { ApiKeysSection } from './api-keys.section';
import { apiKeysTexts } from './api-keys.texts';
import { WebhooksSection } from './webhooks.section';
import './api-keys.css';

export function ApiKeysPage() {
  const t = useTexts(apiKeysTexts);
  useDocumentTitle(t('title'));
  const { resource } = useResource<ItemList<Shop>>('/api/cabinet/shops');
  return (
    <>
      <div className="page-head">
        <h1>{t('title')}</h1>
        {/* The server's own page, outside the SPA: a plain link, not a router link. */}
        <a href="/api/docs" className="button" target="_blank" rel="noopener">
          {t('docs')}
        </a>
      </div>
      <p className="lead">{t('intro')}</p>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && <ShopContent shops={resource.data.items} />}
    </>
  );
}

function ShopContent({ shops }: { shops: readonly Shop[] }) {
  const t = useTexts(apiKeysTexts);
  const [params, setParams] = useSearchParams();
  const first = shops[0];
  if (!first) {
    return (
      <EmptyState title={t('noShops.title')}>
        <p>{t('noShops.text')}</p>
        <Link to="/cabinet/shops/new" className="button button-primary">
          {t('noShops.create')}
        </Link>
      </EmptyState>
    );
  }
  // The chosen shop lives in the address, so a reload or a shared link opens the same shop.
  const shopId = shops.some((shop) => shop.id === params.get('shop'))
    ? (params.get('shop') ?? first.id)
    : first.id;
  return (
    <>
      {shops.length > 1 && (
        <SelectField
          id="api-shop"
          className="api-shop"
          label={t('shop.label')}
          value={shopId}
          options={shops.map((shop) => ({ value: shop.id, label: `${shop.name} (${shop.merchantLogin})` }))}
          onChange={(next) => setParams({ shop: next }, { replace: true })}
        />
      )}
      {/* Keyed by shop: switching shops starts both sections afresh (no secret of another shop stays open). */}
      <ApiKeysSection key={`keys-${shopId}`} shopId={shopId} />
      <WebhooksSection key={`hooks-${shopId}`} shopId={shopId} />
    </>
  );
}
