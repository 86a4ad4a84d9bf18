// /cabinet/shops/:id: status and moderation, general information, and the technical settings.
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, errorMessage } from '../../lib/api';
import { formatDate } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { Shop } from '../../lib/types';
import { ErrorAlert, Loading, SuccessNotice, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { hasPermission, useMe } from '../shell/session';
import { FiscalSettingsSection } from '../fiscal/fiscal-settings.section';
import { RegisterImportSection } from '../fiscal/register-import.section';
import { ShopDetailsForm } from './shop-details.form';
import { ShopStatusBadge } from './shop-status';
import { ShopMethodsSection } from './shop-methods.section';
import { ShopTariffsSection } from './shop-tariffs.section';
import { shopTexts } from './shops.texts';
import { TechnicalSettings } from './technical-settings';

export function ShopPage() {
  const { id = '' } = useParams();
  const t = useTexts(shopTexts);
  const { resource, setData } = useResource<Shop>(`/api/cabinet/shops/${encodeURIComponent(id)}`);
  useDocumentTitle(resource.status === 'ready' ? resource.data.name : t('list.title'));
  return (
    <>
      <p className="breadcrumb">
        <Link to="/cabinet/shops">← {t('back')}</Link>
      </p>
      {resource.status === 'loading' && <Loading label={t('shop.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && <ShopView shop={resource.data} onChange={setData} />}
    </>
  );
}

function ShopView({ shop, onChange }: { shop: Shop; onChange: (shop: Shop) => void }) {
  const t = useTexts(shopTexts);
  const { language } = useLanguage();
  return (
    <>
      <h1>{shop.name}</h1>
      <p className="muted">
        {shop.siteUrl} · {t('shop.created', { date: formatDate(shop.createdAt, language) })}
      </p>
      <ModerationPanel shop={shop} onChange={onChange} />
      <ShopMethodsSection shopId={shop.id} />
      <ShopTariffsSection shopId={shop.id} />
      <ShopDetailsForm shop={shop} onSaved={onChange} />
      <TechnicalSettings shop={shop} onSaved={onChange} />
      <FiscalSettingsSection shopId={shop.id} />
      <RegisterImportSection shopId={shop.id} />
    </>
  );
}

function ModerationPanel({ shop, onChange }: { shop: Shop; onChange: (shop: Shop) => void }) {
  const t = useTexts(shopTexts);
  const me = useMe();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const canSend = hasPermission(me, 'shops.write') && (shop.status === 'test' || shop.status === 'rejected');

  async function send() {
    setBusy(true);
    setFailure(null);
    try {
      onChange(await api.post<Shop>(`/api/cabinet/shops/${encodeURIComponent(shop.id)}/moderation`));
      setNotice(t('moderation.sent'));
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className={`card status-card status-card-${shop.status}`} aria-labelledby="moderation-title">
      <h2 id="moderation-title">
        {t('shop.status')}: <ShopStatusBadge shop={shop} withReason={false} />
      </h2>
      <p>{t(`moderation.${shop.status === 'moderation' ? 'waiting' : shop.status}`)}</p>
      {shop.status === 'rejected' && shop.rejectionReason && (
        <p className="reason-box">{t('status.reason', { reason: shop.rejectionReason })}</p>
      )}
      <SuccessNotice message={notice} />
      <ErrorAlert message={failure} />
      {canSend && (
        <div className="actions">
          <button type="button" className="button button-primary" disabled={busy} onClick={() => void send()}>
            {busy ? t('moderation.submitting') : t('moderation.submit')}
          </button>
        </div>
      )}
    </section>
  );
}
