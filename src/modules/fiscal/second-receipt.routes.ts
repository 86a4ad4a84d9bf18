/**
 * Robokassa's RoboFiscal endpoints at Kopek's top level: `POST /RoboFiscal/Receipt/Attach`,
 * `POST /RoboFiscal/Receipt/Status` and the deferred receipt's `POST /RoboFiscal/Receipt/Register` (Robokassa serves them at ws.roboxchange.com/RoboFiscal/...; a
 * merchant moves by changing the host). No session, no CSRF: the signature with Password #1 is the
 * credential (second-receipt.service.ts).
 *
 * The body is `B64(json).B64(signature)`: raw under any content type, or as a JSON string literal. The
 * routes live in their own context whose only body parser reads any body as text, so it is seen exactly
 * as sent. Every answer is HTTP 200 in Robokassa's JSON shape, failures included: clients read the codes.
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import {
  buildReceiptAttachAnswer,
  buildReceiptStatusAnswer,
  MAX_ROBOFISCAL_BODY_LENGTH,
} from '../protocol/index.js';
import {
  attachSecondReceipt,
  readSecondReceiptStatus,
  registerDeferredReceipt,
} from './second-receipt.service.js';

export const ROBOFISCAL_ATTACH_PATH = '/RoboFiscal/Receipt/Attach';
export const ROBOFISCAL_STATUS_PATH = '/RoboFiscal/Receipt/Status';
export const ROBOFISCAL_REGISTER_PATH = '/RoboFiscal/Receipt/Register';

export async function registerSecondReceiptRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      // A little more than the protocol's limit, so the protocol answers an oversized body itself.
      { parseAs: 'string', bodyLimit: MAX_ROBOFISCAL_BODY_LENGTH + 1024 },
      (_request, body, done) => done(null, body),
    );

    scope.post(ROBOFISCAL_ATTACH_PATH, async (request, reply) => {
      const answer = await attachSecondReceipt(deps, request.body);
      if (answer.resultCode !== '0')
        request.log.info({ resultCode: answer.resultCode }, 'robofiscal attach refused');
      return reply.code(200).type('application/json; charset=utf-8').send(buildReceiptAttachAnswer(answer));
    });

    scope.post(ROBOFISCAL_REGISTER_PATH, async (request, reply) => {
      const answer = await registerDeferredReceipt(deps, request.body);
      if (answer.resultCode !== '0')
        request.log.info({ resultCode: answer.resultCode }, 'robofiscal register refused');
      return reply.code(200).type('application/json; charset=utf-8').send(buildReceiptAttachAnswer(answer));
    });

    scope.post(ROBOFISCAL_STATUS_PATH, async (request, reply) => {
      const answer = await readSecondReceiptStatus(deps, request.body);
      return reply.code(200).type('application/json; charset=utf-8').send(buildReceiptStatusAnswer(answer));
    });
  });
}
