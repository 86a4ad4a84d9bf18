// Badges of an operation: its status, the test flag and the state of its ResultURL notification.
import { useLanguage, useTexts } from '../../lib/i18n';
import { methodGroupName } from '../../lib/payment-methods';
import type { NotificationState, OperationNotification, OperationStatus } from './operation.types';
import { operationTexts } from './operations.texts';

export function OperationStatusBadge({ status }: { status: OperationStatus }) {
  const t = useTexts(operationTexts);
  return <span className={`badge op-status op-status-${status}`}>{t(`status.${status}`)}</span>;
}

export function TestBadge() {
  const t = useTexts(operationTexts);
  return (
    <span className="badge op-test" title={t('test.title')}>
      {t('test.badge')}
      <span className="visually-hidden">: {t('test.title')}</span>
    </span>
  );
}

export function NotificationStateBadge({ state }: { state: NotificationState }) {
  const t = useTexts(operationTexts);
  if (state === 'none') return <span className="muted">{t('notificationState.none')}</span>;
  return <span className={`badge op-notice op-notice-${state}`}>{t(`notificationState.${state}`)}</span>;
}

export function NotificationStatusBadge({ status }: { status: OperationNotification['status'] }) {
  const t = useTexts(operationTexts);
  return <span className={`badge op-notice op-notice-${status}`}>{t(`notificationStatus.${status}`)}</span>;
}

/** 'Банковская карта 220000******0004', or the method code the server sent when it is not known here. */
export function PaymentMethodText({ method, cardMask }: { method: string | null; cardMask: string | null }) {
  const t = useTexts(operationTexts);
  const { language } = useLanguage();
  if (!method && !cardMask) return <span className="muted">{t('method.none')}</span>;
  const name = method ? methodGroupName(method, language) : null;
  return (
    <span className="op-method">
      {name && <span>{name}</span>}
      {cardMask && <code className="op-mask">{cardMask}</code>}
    </span>
  );
}
