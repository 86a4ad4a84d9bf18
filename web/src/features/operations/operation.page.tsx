// /cabinet/operations/:id: one payment with its details, its hold (StepByStep), its timeline and its
// ResultURL / ResultUrl2 notifications.
import { useCallback } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../lib/api';
import { useLanguage, useTexts } from '../../lib/i18n';
import { ErrorAlert, Loading, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { FiscalReceiptsSection } from '../fiscal/fiscal-receipts.section';
import { OperationStatusBadge, PaymentMethodText, TestBadge } from './operation-badges';
import { formatAmount, formatMoment } from './operation-format';
import { OperationHoldSection } from './operation-hold';
import { OperationLedger } from './operation-ledger';
import { OperationNotifications } from './operation-notifications';
import { OperationRefunds } from './operation-refunds';
import { OperationTimeline } from './operation-timeline';
import type { OperationDetail, OperationView } from './operation.types';
import { operationTexts } from './operations.texts';

export function OperationPage() {
  const { id = '' } = useParams();
  const t = useTexts(operationTexts);
  const path = `/api/cabinet/operations/${encodeURIComponent(id)}`;
  const { resource, setData } = useResource<OperationView>(path);
  useDocumentTitle(
    resource.status === 'ready'
      ? t('detail.title', { invId: resource.data.operation.invId })
      : t('list.title'),
  );
  // After "send again" or a refund the page reads the operation anew without blanking itself.
  const refresh = useCallback(async () => setData(await api.get<OperationView>(path)), [path, setData]);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/cabinet/operations">← {t('detail.back')}</Link>
      </p>
      {resource.status === 'loading' && <Loading label={t('detail.loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && (
        <>
          <OperationHeader operation={resource.data.operation} />
          <OperationDetails operation={resource.data.operation} />
          {resource.data.hold && (
            <OperationHoldSection operation={resource.data.operation} hold={resource.data.hold} />
          )}
          {resource.data.operation.status === 'paid' && (
            <OperationRefunds operation={resource.data.operation} onRefunded={refresh} />
          )}
          {resource.data.operation.status === 'paid' && (
            <FiscalReceiptsSection
              key={resource.data.timeline.length}
              paymentId={resource.data.operation.id}
            />
          )}
          <OperationTimeline events={resource.data.timeline} />
          <OperationLedger entries={resource.data.ledger} currency={resource.data.operation.currency} />
          <OperationNotifications
            operation={resource.data.operation}
            timeline={resource.data.timeline}
            notifications={resource.data.notifications}
            onResent={refresh}
          />
        </>
      )}
    </>
  );
}

function OperationHeader({ operation }: { operation: OperationDetail }) {
  const t = useTexts(operationTexts);
  const { language } = useLanguage();
  return (
    <header className="op-header">
      <h1>{t('detail.title', { invId: operation.invId })}</h1>
      <p className="op-amount">
        <span className="visually-hidden">{t('detail.amount')}: </span>
        {formatAmount(operation.amount, operation.currency, language)}
      </p>
      <p className="op-badges">
        <OperationStatusBadge status={operation.status} />
        {operation.isTest && <TestBadge />}
      </p>
      <p className="muted">{t('detail.summary', { shop: operation.shopName, invId: operation.invId })}</p>
    </header>
  );
}

function OperationDetails({ operation }: { operation: OperationDetail }) {
  const t = useTexts(operationTexts);
  const { language } = useLanguage();
  const none = <span className="muted">{t('value.none')}</span>;
  const moment = (iso: string | null, missing = none) =>
    iso ? <time dateTime={iso}>{formatMoment(iso, language)}</time> : missing;
  return (
    <section className="card" aria-labelledby="operation-details-title">
      <h2 id="operation-details-title">{t('details.title')}</h2>
      <dl className="op-details">
        <div>
          <dt>{t('field.description')}</dt>
          <dd className="break">{operation.description || none}</dd>
        </div>
        <div>
          <dt>{t('field.email')}</dt>
          <dd className="break">{operation.email ?? none}</dd>
        </div>
        <div>
          <dt>{t('field.method')}</dt>
          <dd>
            <PaymentMethodText method={operation.paymentMethod} cardMask={operation.cardMask} />
          </dd>
        </div>
        <div>
          <dt>{t('field.outSum')}</dt>
          <dd>
            <code>{operation.outSumText}</code>
          </dd>
        </div>
        <div>
          <dt>{t('field.fee')}</dt>
          <dd>{formatAmount(operation.fee, operation.currency, language)}</dd>
        </div>
        <div>
          <dt>{t('field.opKey')}</dt>
          <dd className="break">{operation.opKey ? <code>{operation.opKey}</code> : none}</dd>
        </div>
        <div>
          <dt>{t('field.shp')}</dt>
          <dd>
            {operation.shp.length === 0 ? (
              <span className="muted">{t('value.noShp')}</span>
            ) : (
              <ul className="op-shp">
                {operation.shp.map(([name, value], index) => (
                  <li key={`${name}-${index}`} className="break">
                    <code>{name}</code> = <code>{value}</code>
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('field.created')}</dt>
          <dd>{moment(operation.createdAt)}</dd>
        </div>
        <div>
          <dt>{t('field.paid')}</dt>
          <dd>{moment(operation.paidAt, <span className="muted">{t('value.notPaid')}</span>)}</dd>
        </div>
        {operation.expiresAt && (
          <div>
            <dt>{t('field.expires')}</dt>
            <dd>{moment(operation.expiresAt)}</dd>
          </div>
        )}
        <div>
          <dt>{t('field.merchantLogin')}</dt>
          <dd>
            <code>{operation.merchantLogin}</code>
          </dd>
        </div>
        <div>
          <dt>{t('field.id')}</dt>
          <dd className="break">
            <code>{operation.id}</code>
          </dd>
        </div>
      </dl>
    </section>
  );
}
