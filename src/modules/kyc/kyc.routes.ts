/**
 * HTTP routes of the KYC questionnaire: the cabinet's (under /api/cabinet, the account administrator
 * only) and the operator's moderation (under /api/backoffice, 'backoffice.moderation' like shops).
 * Documents arrive as base64 in JSON, so that route accepts a larger body.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { clientIp } from '../../platform/http/request.js';
import { createAuthGuard, requireMerchantActor, requireSessionUser } from '../accounts/index.js';
import { downloadHeaders, MAX_ATTACHMENT_BASE64_LENGTH } from '../support/index.js';
import {
  decideQuestionnaire,
  findQuestionnaireForOperator,
  listQuestionnaireQueue,
} from './kyc.moderation.js';
import {
  addDocument,
  findDocument,
  findOwnDocument,
  getOwnQuestionnaire,
  removeDocument,
  saveDraft,
  submitQuestionnaire,
  type KycActor,
} from './kyc.service.js';
import { KYC_DOCUMENT_KINDS, KYC_STATUSES } from './kyc.tables.js';
import { KYC_FIELD_MAX_LENGTH } from './kyc.validation.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const DocumentParams = Type.Object({ id: Id });
const AccountParams = Type.Object({ accountId: Id });
const AccountDocumentParams = Type.Object({ accountId: Id, id: Id });
// Unknown fields are ignored (normalizeKycFields keeps only the form's); lengths are checked with texts.
const DraftBody = Type.Record(
  Type.String({ maxLength: 40 }),
  Type.String({ maxLength: KYC_FIELD_MAX_LENGTH * 4 }),
);
const DocumentBody = Type.Object({
  kind: Type.Union(KYC_DOCUMENT_KINDS.map((kind) => Type.Literal(kind))),
  fileName: Type.String({ maxLength: 1000 }),
  contentBase64: Type.String({ maxLength: MAX_ATTACHMENT_BASE64_LENGTH }),
});
const QueueQuery = Type.Object({
  status: Type.Optional(Type.Union(KYC_STATUSES.map((status) => Type.Literal(status)))),
});
const DecisionBody = Type.Union([
  Type.Object({ decision: Type.Literal('approved') }),
  Type.Object({
    decision: Type.Literal('rejected'),
    reasons: Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 2000 })),
  }),
]);

function kycActor(request: FastifyRequest): KycActor {
  return { ...requireMerchantActor(request), ip: clientIp(request) };
}

function sendDocument(reply: FastifyReply, file: Awaited<ReturnType<typeof findDocument>>): FastifyReply {
  return reply.headers(downloadHeaders(file)).send(file.content);
}

export function registerKycRoutes(app: FastifyInstance, deps: Deps): void {
  const signedIn = { preHandler: createAuthGuard(deps)() };

  app.get('/kyc', signedIn, async (request) => getOwnQuestionnaire(deps, requireMerchantActor(request)));

  app.put('/kyc', { ...signedIn, schema: { body: DraftBody } }, async (request) =>
    saveDraft(deps, kycActor(request), request.body as typeof DraftBody.static),
  );

  app.post('/kyc/submission', signedIn, async (request) => submitQuestionnaire(deps, kycActor(request)));

  app.post(
    '/kyc/documents',
    { ...signedIn, bodyLimit: MAX_ATTACHMENT_BASE64_LENGTH + 4096, schema: { body: DocumentBody } },
    async (request, reply) =>
      reply
        .code(201)
        .send(await addDocument(deps, kycActor(request), request.body as typeof DocumentBody.static)),
  );

  app.get('/kyc/documents/:id', { ...signedIn, schema: { params: DocumentParams } }, async (request, reply) =>
    sendDocument(
      reply,
      await findOwnDocument(
        deps,
        requireMerchantActor(request),
        (request.params as typeof DocumentParams.static).id,
      ),
    ),
  );

  app.delete(
    '/kyc/documents/:id',
    { ...signedIn, schema: { params: DocumentParams } },
    async (request, reply) => {
      await removeDocument(deps, kycActor(request), (request.params as typeof DocumentParams.static).id);
      return reply.code(204).send();
    },
  );
}

export function registerKycModerationRoutes(app: FastifyInstance, deps: Deps): void {
  const moderators = { preHandler: createAuthGuard(deps)('backoffice.moderation') };
  const operator = (request: FastifyRequest) => ({
    operatorUserId: requireSessionUser(request).userId,
    ip: clientIp(request),
  });

  app.get('/kyc/questionnaires', { ...moderators, schema: { querystring: QueueQuery } }, async (request) =>
    listQuestionnaireQueue(deps, (request.query as typeof QueueQuery.static).status ?? 'submitted'),
  );

  app.get(
    '/kyc/questionnaires/:accountId',
    { ...moderators, schema: { params: AccountParams } },
    async (request) =>
      findQuestionnaireForOperator(deps, (request.params as typeof AccountParams.static).accountId),
  );

  app.get(
    '/kyc/questionnaires/:accountId/documents/:id',
    { ...moderators, schema: { params: AccountDocumentParams } },
    async (request, reply) => {
      const params = request.params as typeof AccountDocumentParams.static;
      return sendDocument(reply, await findDocument(deps, params.accountId, params.id));
    },
  );

  app.post(
    '/kyc/questionnaires/:accountId/decision',
    { ...moderators, schema: { params: AccountParams, body: DecisionBody } },
    async (request) =>
      decideQuestionnaire(
        deps,
        operator(request),
        (request.params as typeof AccountParams.static).accountId,
        request.body as typeof DecisionBody.static,
      ),
  );
}
