/**
 * The e-mail copy of a message, in the recipient's language: the body, a link into the cabinet, why the
 * person receives it and how to stop it, and the RFC 8058 one-click unsubscribe header fields.
 */
import { escapeHtml } from '../../platform/http/html.js';
import { formatText, type Language } from '../../platform/i18n.js';
import type { MessageCategory } from './message.categories.js';
import { CATEGORY_NAMES, MAIL_TEXTS } from './message.texts.js';

export interface MessageMailInput {
  readonly language: Language;
  readonly category: MessageCategory;
  readonly subject: string;
  readonly title: string;
  readonly body: string;
  /** The message in the cabinet's inbox. */
  readonly messageUrl: string;
  /** What the message is about (an operation, a shop), when it has a link. */
  readonly linkUrl: string | null;
  readonly settingsUrl: string;
  /** Absent for mail that cannot be turned off (security). */
  readonly unsubscribeUrl: string | null;
  readonly isDigest: boolean;
}

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly headers: Record<string, string>;
}

const BUTTON_STYLE =
  'display:inline-block;padding:10px 16px;background:#0b6bcb;color:#fff;border-radius:6px;text-decoration:none';
const SMALL_STYLE = 'font-size:13px;color:#555';

function footerLines(input: MessageMailInput): string[] {
  const t = MAIL_TEXTS[input.language];
  const category = CATEGORY_NAMES[input.category][input.language];
  if (input.unsubscribeUrl === null) return [t.alwaysOn, `${t.settings}: ${input.settingsUrl}`];
  return [
    input.isDigest ? t.whyDigest : formatText(t.why, { category }),
    `${t.unsubscribe}: ${input.unsubscribeUrl}`,
    `${t.settings}: ${input.settingsUrl}`,
  ];
}

function renderHtml(input: MessageMailInput): string {
  const t = MAIL_TEXTS[input.language];
  const category = CATEGORY_NAMES[input.category][input.language];
  const paragraphs = input.body
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const target = input.linkUrl ?? input.messageUrl;
  const why =
    input.unsubscribeUrl === null
      ? escapeHtml(t.alwaysOn)
      : `${escapeHtml(input.isDigest ? t.whyDigest : formatText(t.why, { category }))}<br>
<a href="${escapeHtml(input.unsubscribeUrl)}">${escapeHtml(t.unsubscribe)}</a> ·`;
  return `<!doctype html><html lang="${input.language}"><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1b2430">
<h1 style="font-size:20px">${escapeHtml(input.title)}</h1>
${paragraphs}
<p><a href="${escapeHtml(target)}" style="${BUTTON_STYLE}">${escapeHtml(t.open)}</a></p>
<hr style="border:0;border-top:1px solid #d9dee5">
<p style="${SMALL_STYLE}">${why}
<a href="${escapeHtml(input.settingsUrl)}">${escapeHtml(t.settings)}</a></p>
<p>— Kopek</p></body></html>`;
}

export function renderMessageMail(input: MessageMailInput): RenderedMail {
  const t = MAIL_TEXTS[input.language];
  const links = [
    ...(input.linkUrl ? [`${t.open}: ${input.linkUrl}`] : []),
    `${t.openMessage}: ${input.messageUrl}`,
  ];
  const text = [input.body, '', ...links, '', '—', ...footerLines(input), '', '— Kopek'].join('\n');
  // RFC 8058: a mail client may POST "List-Unsubscribe=One-Click" to the HTTPS address, without cookies.
  // There is no mailto: address because Kopek reads no incoming mail; RFC 8058 needs only the HTTPS one.
  const headers: Record<string, string> =
    input.unsubscribeUrl === null
      ? {}
      : {
          'List-Unsubscribe': `<${input.unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        };
  return { subject: input.subject, text, html: renderHtml(input), headers };
}
