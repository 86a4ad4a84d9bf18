/** Texts of the other methods' flows on the payment page, in Russian and English. */
import type { Language } from '../../platform/i18n.js';
import { formatText } from '../../platform/i18n.js';

const RU = {
  chooseMethod: 'Выберите способ оплаты',
  feeForMethod: 'комиссия {fee}',
  payWith: 'Оплатить через {method}',
  getQr: 'Получить QR-код',
  getCode: 'Получить код для оплаты',
  goToProvider: 'Перейти к оплате',
  phone: 'Номер телефона',
  phoneHint: 'Российский номер: +7 и 10 цифр. Деньги спишутся со счёта этого телефона.',
  sendCode: 'Получить код в СМС',
  qrTitle: 'Оплата по QR-коду',
  qrText: 'Отсканируйте QR-код камерой телефона или в приложении банка и подтвердите оплату.',
  appQrText: 'Отсканируйте QR-код камерой телефона: откроется приложение, в нём подтвердите оплату.',
  openInApp: 'Открыть в приложении банка',
  openApp: 'Открыть приложение',
  validUntil: 'Действует до {time} (МСК)',
  redirectTitle: 'Оплата на сайте {method}',
  redirectText: 'Мы отправим вас на страницу {method}: войдите и подтвердите платёж, затем вернитесь сюда.',
  waitingBank: 'Ждём подтверждения от {method}. Страница обновится сама.',
  codeTitle: 'Оплата наличными',
  codeText:
    'Назовите или введите этот код в терминале или банкомате и внесите сумму. Код действует до {time} (МСК).',
  printVoucher: 'Распечатать квитанцию',
  received: 'Внесено {received} из {owed}. Осталось внести {left}.',
  smsTitle: 'Подтверждение кодом из СМС',
  smsText:
    'Оператор {operator} отправил код на номер {phone}. Введите его, чтобы оплатить со счёта телефона.',
  smsCode: 'Код из СМС',
  confirmCode: 'Подтвердить',
  wrongCode: 'Неверный код. Осталось попыток: {tries}.',
  otherMethod: 'Выбрать другой способ',
  checkStatus: 'Проверить статус',
  attemptExpired: 'Время на оплату этим способом истекло. Можно начать заново.',
  attemptDeclined: 'Оплата не прошла: {reason}. Можно попробовать ещё раз или выбрать другой способ.',
  refused: 'Этим способом оплатить нельзя: {reason}',
} as const;

const EN: Record<keyof typeof RU, string> = {
  chooseMethod: 'Choose how to pay',
  feeForMethod: 'fee {fee}',
  payWith: 'Pay with {method}',
  getQr: 'Get a QR code',
  getCode: 'Get a payment code',
  goToProvider: 'Go to payment',
  phone: 'Phone number',
  phoneHint: 'A Russian number: +7 and 10 digits. The money is taken from this phone’s balance.',
  sendCode: 'Send me a code by SMS',
  qrTitle: 'Pay by QR code',
  qrText: 'Scan the QR code with your phone’s camera or your bank’s app and confirm the payment.',
  appQrText: 'Scan the QR code with your phone’s camera: the app opens, confirm the payment there.',
  openInApp: 'Open in the bank app',
  openApp: 'Open the app',
  validUntil: 'Valid until {time} (Moscow time)',
  redirectTitle: 'Pay on the {method} site',
  redirectText: 'We will take you to {method}: sign in and confirm the payment, then come back here.',
  waitingBank: 'Waiting for {method} to confirm. This page updates by itself.',
  codeTitle: 'Pay in cash',
  codeText:
    'Type this code at a payment terminal or ATM and insert the amount. The code is valid until {time} (Moscow time).',
  printVoucher: 'Print the voucher',
  received: '{received} of {owed} paid in. {left} still to pay.',
  smsTitle: 'Confirm with the SMS code',
  smsText: '{operator} sent a code to {phone}. Enter it to pay from the phone balance.',
  smsCode: 'SMS code',
  confirmCode: 'Confirm',
  wrongCode: 'Wrong code. Tries left: {tries}.',
  otherMethod: 'Choose another way to pay',
  checkStatus: 'Check the status',
  attemptExpired: 'The time to pay this way is over. You can start again.',
  attemptDeclined: 'The payment did not go through: {reason}. Try again or choose another way to pay.',
  refused: 'This way to pay cannot be used: {reason}',
};

export type MethodTextKey = keyof typeof RU;

export function methodTextsFor(language: Language) {
  const texts = language === 'en' ? EN : RU;
  return (key: MethodTextKey, values?: Record<string, string | number>) => formatText(texts[key], values);
}

/** Why a method cannot be used or an attempt failed, as the buyer reads it. */
export const METHOD_REASON_TEXTS: Record<string, { ru: string; en: string }> = {
  method_disabled: {
    ru: 'магазин не принимает оплату этим способом',
    en: 'the shop does not take this method',
  },
  currency: { ru: 'способ не принимает эту валюту', en: 'the method does not take this currency' },
  below_minimum: {
    ru: 'сумма меньше минимальной для способа',
    en: 'the amount is below the method’s minimum',
  },
  above_maximum: {
    ru: 'сумма больше максимальной для способа',
    en: 'the amount is above the method’s maximum',
  },
  payment_closed: { ru: 'платёж уже завершён', en: 'the payment is already finished' },
  invalid_phone: { ru: 'проверьте номер телефона', en: 'check the phone number' },
  unknown_operator: {
    ru: 'оператор этого номера не принимает платежи',
    en: 'this number’s operator does not take payments',
  },
  limit_per_payment: {
    ru: 'превышен лимит оператора на один платёж',
    en: 'over the operator’s per-payment limit',
  },
  limit_per_day: { ru: 'превышен дневной лимит оператора', en: 'over the operator’s daily limit' },
  provider_unavailable: {
    ru: 'сервис временно недоступен, попробуйте позже',
    en: 'the service is unavailable, try again later',
  },
  insufficient_funds: { ru: 'недостаточно средств', en: 'insufficient funds' },
  RJCT: { ru: 'банк отклонил платёж', en: 'the bank declined the payment' },
  buyer_cancelled: { ru: 'вы отменили оплату', en: 'you cancelled the payment' },
  start_interrupted: { ru: 'не удалось начать оплату', en: 'the payment could not be started' },
  too_many_attempts: { ru: 'трижды введён неверный код', en: 'a wrong code was entered three times' },
  code_expired: { ru: 'истёк срок действия кода из SMS', en: 'the SMS code has expired' },
  account_blocked: { ru: 'кошелёк заблокирован', en: 'the wallet is blocked' },
  wallet_declined: { ru: 'кошелёк отклонил платёж', en: 'the wallet declined the payment' },
};
