// The account's security journal (administrators): who did what, when and from where.
import { useTexts, useLanguage, defineTexts } from '../../lib/i18n';
import { formatDateTime } from '../../lib/format';
import { useResource } from '../../lib/use-resource';
import { ErrorAlert, Loading } from '../../lib/ui';
import { commonTexts } from '../../lib/common.texts';

interface AuditRecord {
  id: string;
  action: string;
  target: string | null;
  actorLogin: string | null;
  ip: string | null;
  createdAt: string;
}

const ACTIONS = {
  'account.registered': ['Аккаунт зарегистрирован', 'Account registered'],
  'user.confirm_registration': ['E-mail подтверждён, пароль задан', 'E-mail confirmed, password set'],
  'user.accept_invitation': ['Приглашение принято', 'Invitation accepted'],
  'user.reset_password': ['Пароль восстановлен по ссылке', 'Password reset by link'],
  'user.password_reset_requested': ['Запрошено восстановление пароля', 'Password reset requested'],
  'user.password_changed': ['Пароль изменён', 'Password changed'],
  'user.signed_in': ['Вход', 'Signed in'],
  'user.sign_in_failed': ['Неудачная попытка входа', 'Failed sign-in'],
  'user.locked': ['Вход заблокирован после неудачных попыток', 'Sign-in locked after failures'],
  'user.signed_out': ['Выход', 'Signed out'],
  'user.signed_out_everywhere': ['Выход на всех устройствах', 'Signed out everywhere'],
  'user.totp_enabled': ['Двухфакторная аутентификация включена', 'Two-factor authentication on'],
  'user.totp_disabled': ['Двухфакторная аутентификация отключена', 'Two-factor authentication off'],
  'employee.invited': ['Сотрудник приглашён', 'Employee invited'],
  'employee.updated': ['Роль или доступ сотрудника изменены', 'Employee role or access changed'],
  'shop.created': ['Магазин создан', 'Shop created'],
  'shop.settings_changed': ['Настройки магазина изменены', 'Shop settings changed'],
  'shop.passwords_revealed': ['Пароли магазина показаны', 'Shop passwords revealed'],
  'shop.submitted_for_moderation': ['Магазин отправлен на модерацию', 'Shop sent for moderation'],
  'shop.activated': ['Магазин активирован оператором', 'Shop activated by the operator'],
  'shop.rejected': ['Магазин отклонён оператором', 'Shop rejected by the operator'],
  'shop.holds_allowed': ['Оператор разрешил холдирование', 'Holds allowed by the operator'],
  'shop.holds_disallowed': ['Оператор запретил холдирование', 'Holds disallowed by the operator'],
  'shop.methods_changed': ['Оператор изменил способы оплаты', 'Payment methods changed by the operator'],
  'operation.notification_resent': [
    'Уведомление ResultURL отправлено повторно',
    'ResultURL notification sent again',
  ],
} as const satisfies Record<string, readonly [string, string]>;

const texts = defineTexts({
  ru: {
    title: 'Журнал безопасности',
    text: 'Последние 100 действий в аккаунте: входы, смена паролей, доступ сотрудников, настройки магазинов.',
    when: 'Когда',
    who: 'Кто',
    what: 'Что',
    where: 'IP-адрес',
    empty: 'Записей пока нет.',
    operator: 'оператор',
  },
  en: {
    title: 'Security journal',
    text: 'The last 100 actions in the account: sign-ins, password changes, employee access, shop settings.',
    when: 'When',
    who: 'Who',
    what: 'What',
    where: 'IP address',
    empty: 'No entries yet.',
    operator: 'operator',
  },
});

function describeAction(action: string, language: 'ru' | 'en'): string {
  const known = (ACTIONS as Record<string, readonly [string, string]>)[action];
  return known ? known[language === 'ru' ? 0 : 1] : action;
}

export function AuditLogSection() {
  const t = useTexts(texts);
  const c = useTexts(commonTexts);
  const { language } = useLanguage();
  const { resource } = useResource<{ items: AuditRecord[] }>('/api/cabinet/audit');
  return (
    <section className="card flush" aria-labelledby="audit-title">
      <div className="card-messages">
        <h2 id="audit-title">{t('title')}</h2>
        <p className="muted">{t('text')}</p>
        {resource.status === 'loading' && <Loading label={c('loading')} />}
        {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
        {resource.status === 'ready' && resource.data.items.length === 0 && <p>{t('empty')}</p>}
      </div>
      {resource.status === 'ready' && resource.data.items.length > 0 && (
        <table className="table responsive-table">
          <thead>
            <tr>
              <th scope="col">{t('when')}</th>
              <th scope="col">{t('who')}</th>
              <th scope="col">{t('what')}</th>
              <th scope="col">{t('where')}</th>
            </tr>
          </thead>
          <tbody>
            {resource.data.items.map((record) => (
              <tr key={record.id}>
                <td data-label={t('when')}>{formatDateTime(record.createdAt, language)}</td>
                <td data-label={t('who')}>{record.actorLogin ?? t('operator')}</td>
                <td data-label={t('what')}>{describeAction(record.action, language)}</td>
                <td data-label={t('where')}>{record.ip ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
