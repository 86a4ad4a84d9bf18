/**
 * /unsubscribe/<token>: the address in every unsubscribable mail's List-Unsubscribe header and footer.
 * - POST unsubscribes at once (RFC 8058 one-click: a mail client posts "List-Unsubscribe=One-Click" as
 *   multipart/form-data or urlencoded, without cookies); no session and no CSRF token, because the signed
 *   token is the authority and all it can do is turn one person's mail of one category off.
 * - GET only shows a small page (ru/en) with a button that posts: link scanners and previews that open
 *   the address never unsubscribe anyone.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../../deps.js';
import { html, SafeHtml } from '../../platform/http/html.js';
import { clientIp, requestLanguage } from '../../platform/http/request.js';
import { formatText, type Language } from '../../platform/i18n.js';
import { CATEGORY_NAMES, UNSUBSCRIBE_TEXTS } from './message.texts.js';
import { describeUnsubscribe, unsubscribeByToken, type UnsubscribeState } from './subscription.service.js';

const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // The token is in the path: never pass it on as a referrer, never keep the page in a cache.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex',
};

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#f3f5f8;color:#1b2430;line-height:1.5}
main{max-width:520px;margin:48px auto;padding:28px 24px;background:#fff;border:1px solid #d9dee5;border-radius:10px}
h1{font-size:1.5rem;margin:0 0 12px}p{margin:0 0 16px}.brand{font-weight:700;color:#0b6bcb;margin-bottom:20px}
button{font:inherit;font-weight:600;min-height:44px;padding:10px 20px;color:#fff;background:#0b6bcb;border:0;
border-radius:8px;cursor:pointer}button:hover{background:#0957a6}a{color:#0b6bcb}
@media (max-width:560px){main{margin:0;border:0;border-radius:0;min-height:100vh;padding:24px 16px}}`;

interface TokenParams {
  token: string;
}

function renderPage(language: Language, title: string, content: SafeHtml): string {
  return html`<!doctype html>
    <html lang="${language}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title} · Kopek</title>
        <style>
          ${new SafeHtml(STYLE)}
        </style>
      </head>
      <body>
        <main>
          <div class="brand">Kopek</div>
          ${content}
        </main>
      </body>
    </html>`.toString();
}

function settingsLink(deps: Deps, language: Language): SafeHtml {
  const link = `${deps.config.publicUrl}/cabinet/settings#notifications`;
  return html`<p><a href="${link}">${UNSUBSCRIBE_TEXTS[language].settings}</a></p>`;
}

function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(page);
}

function invalidPage(deps: Deps, language: Language): string {
  const t = UNSUBSCRIBE_TEXTS[language];
  return renderPage(
    language,
    t.invalidTitle,
    html`<h1>${t.invalidTitle}</h1>
      <p>${t.invalidText}</p>
      ${settingsLink(deps, language)}`,
  );
}

function statePage(deps: Deps, state: Exclude<UnsubscribeState, { status: 'invalid' }>): string {
  const language = state.language;
  const t = UNSUBSCRIBE_TEXTS[language];
  const values = { category: CATEGORY_NAMES[state.category][language], email: state.email };
  if (state.status === 'subscribed') {
    return renderPage(
      language,
      t.title,
      html`<h1>${t.title}</h1>
        <p>${formatText(t.question, values)}</p>
        <form method="post">
          <input type="hidden" name="from" value="page" /><button type="submit">${t.button}</button>
        </form>`,
    );
  }
  const text = state.status === 'unsubscribed' ? t.doneText : t.already;
  return renderPage(
    language,
    t.done,
    html`<h1>${t.done}</h1>
      <p>${formatText(text, values)}</p>
      ${settingsLink(deps, language)}`,
  );
}

export async function registerUnsubscribeRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(async (scope) => {
    // Mail clients send multipart/form-data or urlencoded bodies; nothing in them matters beyond a hint of
    // who posted (the page's own form says so), so every body is read as short text.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 16_384 }, (_request, body, done) =>
      done(null, body),
    );
    const params = {
      type: 'object',
      // Tokens are about 70 characters; the router itself stops at 100 (maxParamLength).
      properties: { token: { type: 'string', maxLength: 100 } },
      required: ['token'],
    };

    scope.get('/unsubscribe/:token', { schema: { params } }, async (request, reply) => {
      const state = await describeUnsubscribe(deps, (request.params as TokenParams).token);
      if (state.status === 'invalid')
        return sendPage(reply, 404, invalidPage(deps, requestLanguage(request)));
      return sendPage(reply, 200, statePage(deps, state));
    });

    scope.post('/unsubscribe/:token', { schema: { params } }, async (request, reply) => {
      const isFromPage = typeof request.body === 'string' && /(^|&)from=page(&|$)/.test(request.body);
      const state = await unsubscribeByToken(
        deps,
        (request.params as TokenParams).token,
        isFromPage ? 'unsubscribe_page' : 'one_click',
        clientIp(request),
      );
      if (state.status === 'invalid')
        return sendPage(reply, 404, invalidPage(deps, requestLanguage(request)));
      return sendPage(reply, 200, statePage(deps, state));
    });
  });
}
