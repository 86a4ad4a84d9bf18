/**
 * The frame of the sandbox providers' own pages (the SBP bank app, the wallet, the internet bank, the
 * terminal, the mobile app, the SMS log): plainly marked as a sandbox, styled like checkout, with the same
 * strict CSP. They stand in for third parties, so they share no code with checkout beyond its stylesheet.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../../platform/http/html.js';
import { requestLanguage } from '../../../platform/http/request.js';
import { isLanguage, type Language } from '../../../platform/i18n.js';

const BANNER = {
  ru: 'Песочница: страница имитирует стороннюю систему, деньги не движутся.',
  en: 'Sandbox: this page stands in for a third party; no money moves.',
};

export function sandboxLanguage(request: FastifyRequest): Language {
  const query = (request.query ?? {}) as Record<string, unknown>;
  return isLanguage(query.lang) ? query.lang : requestLanguage(request);
}

export function renderSandboxPage(language: Language, title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="${language}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <link rel="stylesheet" href="/checkout/assets/checkout.css" />
      </head>
      <body>
        <main>
          <p class="banner" role="note">${BANNER[language]}</p>
          ${body}
        </main>
        <script src="/checkout/assets/checkout.js" defer></script>
      </body>
    </html>`.value;
}

export function sendSandboxPage(
  reply: FastifyReply,
  status: number,
  language: Language,
  title: string,
  body: SafeHtml,
): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .headers({
      'content-security-policy':
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    })
    .send(renderSandboxPage(language, title, body));
}

/** A string field of a form body, '' when absent. */
export function formField(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}
