/** The e-mails the accounts module sends, in Russian and English. */
import { formatText, type Language } from '../../platform/i18n.js';
import type { EmailLinkPurpose } from '../../schema.js';
import { escapeHtml } from '../../platform/http/html.js';

interface MailText {
  subject: string;
  intro: string;
  action: string;
  validity: string;
  ignore: string;
}

const TEXTS: Record<EmailLinkPurpose, Record<Language, MailText>> = {
  confirm_registration: {
    ru: {
      subject: 'Kopek: подтвердите e-mail',
      intro: 'Вы зарегистрировали аккаунт «{accountLogin}» в Kopek. Подтвердите адрес и задайте пароль:',
      action: 'Подтвердить e-mail и задать пароль',
      validity: 'Ссылка действует 24 часа и открывается один раз.',
      ignore: 'Если вы не регистрировались, просто удалите это письмо.',
    },
    en: {
      subject: 'Kopek: confirm your e-mail',
      intro: 'You registered the account "{accountLogin}" at Kopek. Confirm your address and set a password:',
      action: 'Confirm e-mail and set password',
      validity: 'The link works once and for 24 hours.',
      ignore: 'If you did not register, just delete this e-mail.',
    },
  },
  reset_password: {
    ru: {
      subject: 'Kopek: восстановление пароля',
      intro:
        'Кто-то (надеемся, вы) запросил смену пароля пользователя «{userLogin}» аккаунта «{accountLogin}»:',
      action: 'Задать новый пароль',
      validity: 'Ссылка действует 1 час и открывается один раз.',
      ignore: 'Если это были не вы, удалите письмо: пароль останется прежним.',
    },
    en: {
      subject: 'Kopek: reset your password',
      intro:
        'Someone (hopefully you) asked to reset the password of "{userLogin}" in the account "{accountLogin}":',
      action: 'Set a new password',
      validity: 'The link works once and for 1 hour.',
      ignore: 'If it was not you, delete this e-mail: your password stays as it is.',
    },
  },
  accept_invitation: {
    ru: {
      subject: 'Kopek: приглашение в аккаунт «{accountLogin}»',
      intro: 'Вас пригласили в аккаунт «{accountLogin}» в Kopek под логином «{userLogin}». Задайте пароль:',
      action: 'Принять приглашение',
      validity: 'Ссылка действует 72 часа и открывается один раз.',
      ignore: 'Если вы не ждали приглашения, удалите это письмо.',
    },
    en: {
      subject: 'Kopek: invitation to the account "{accountLogin}"',
      intro: 'You were invited to the account "{accountLogin}" at Kopek as "{userLogin}". Set your password:',
      action: 'Accept the invitation',
      validity: 'The link works once and for 72 hours.',
      ignore: 'If you did not expect this, delete this e-mail.',
    },
  },
};

export function renderLinkMail(
  purpose: EmailLinkPurpose,
  language: Language,
  values: { accountLogin: string; userLogin: string; link: string },
): { subject: string; text: string; html: string } {
  const t = TEXTS[purpose][language];
  const fill = (template: string) => formatText(template, values);
  const text = [fill(t.intro), '', values.link, '', t.validity, t.ignore, '', '— Kopek'].join('\n');
  const html = `<!doctype html><html lang="${language}"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>${escapeHtml(fill(t.intro))}</p>
<p><a href="${escapeHtml(values.link)}" style="display:inline-block;padding:10px 16px;background:#0b6bcb;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(t.action)}</a></p>
<p style="font-size:13px;color:#555">${escapeHtml(values.link)}</p>
<p style="font-size:13px;color:#555">${escapeHtml(t.validity)} ${escapeHtml(t.ignore)}</p>
<p>— Kopek</p></body></html>`;
  return { subject: fill(t.subject), text, html };
}
