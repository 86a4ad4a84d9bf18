// "Холд": a StepByStep payment's reserved amount, its state, and when it is released if nobody confirms it.
import { useLanguage, useTexts } from '../../lib/i18n';
import { formatAmount, formatMoment } from './operation-format';
import type { OperationDetail, OperationHold } from './operation.types';
import { operationTexts } from './operations.texts';

export function OperationHoldSection({
  operation,
  hold,
}: {
  operation: OperationDetail;
  hold: OperationHold;
}) {
  const t = useTexts(operationTexts);
  const { language } = useLanguage();
  const amount = (value: string) => formatAmount(value, operation.currency, language);
  const moment = (iso: string) => <time dateTime={iso}>{formatMoment(iso, language)}</time>;
  const isOpen = hold.status === 'held' || hold.status === 'capturing' || hold.status === 'releasing';
  return (
    <section className="card" aria-labelledby="operation-hold-title">
      <h2 id="operation-hold-title">{t('hold.title')}</h2>
      {isOpen && <p className="muted">{t('hold.intro')}</p>}
      <dl className="op-details">
        <div>
          <dt>{t('hold.amount')}</dt>
          <dd>{amount(hold.amount)}</dd>
        </div>
        <div>
          <dt>{t('hold.state')}</dt>
          <dd>{t(`holdState.${hold.status}`)}</dd>
        </div>
        {isOpen && (
          <div>
            <dt>{t('hold.releaseAt')}</dt>
            <dd>{moment(hold.releaseAt)}</dd>
          </div>
        )}
        {hold.capturedAmount !== null && (
          <div>
            <dt>{t('hold.captured')}</dt>
            <dd>{amount(hold.capturedAmount)}</dd>
          </div>
        )}
        {hold.capturedAt && (
          <div>
            <dt>{t('hold.capturedAt')}</dt>
            <dd>{moment(hold.capturedAt)}</dd>
          </div>
        )}
        {hold.releaseReason && hold.status === 'released' && (
          <div>
            <dt>{t('hold.reason')}</dt>
            <dd>{t(`holdReason.${hold.releaseReason}`)}</dd>
          </div>
        )}
        {hold.releasedAt && (
          <div>
            <dt>{t('hold.releasedAt')}</dt>
            <dd>{moment(hold.releasedAt)}</dd>
          </div>
        )}
      </dl>
    </section>
  );
}
