/**
 * The ATOL sandbox's HTTP surface, under /atol-sandbox (mounted outside production only):
 * - the protocol: `POST|GET possystem/v5/getToken`, `POST possystem/v5/{group}/{operation}`,
 *   `GET possystem/v5/{group}/report/{uuid}`, answered in ATOL's JSON whatever the outcome;
 * - test controls (no authentication: this never runs in production):
 *   `PUT control/groups/{group}` {login?, password?, inn?, behaviour?} creates or changes an account,
 *   `POST control/groups/{group}/expire-tokens`, `GET control/groups/{group}/documents`,
 *   `POST control/process` finishes documents whose wait (in seconds of Kopek's clock) is over.
 * Bodies are read as text here, not by the app's parsers, so the sandbox can answer a wrong content type
 * or broken JSON the way ATOL does (errors 41 and 32).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../../../deps.js';
import {
  AtolSandbox,
  DEFAULT_BEHAVIOUR,
  SANDBOX_PATH,
  type SandboxAnswer,
  type SandboxBehaviour,
} from './atol-sandbox.service.js';

type Params = Record<string, string>;

function parseJsonText(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function send(reply: FastifyReply, answer: SandboxAnswer): Promise<FastifyReply> {
  if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
  return reply.code(answer.status).header('cache-control', 'no-store').send(answer.body);
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The behaviour fields a control request may set, each checked for its type. */
function readBehaviour(value: unknown): Partial<SandboxBehaviour> | string {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) return 'behaviour must be an object';
  const fields = value as Record<string, unknown>;
  const behaviour: Record<string, unknown> = {};
  for (const [name, current] of Object.entries(DEFAULT_BEHAVIOUR)) {
    const given = fields[name];
    if (given === undefined) continue;
    if (typeof given !== typeof current) return `behaviour.${name} must be a ${typeof current}`;
    if (typeof given === 'number' && (!Number.isInteger(given) || given < 0))
      return `behaviour.${name} must be a whole number`;
    behaviour[name] = given;
  }
  if (behaviour.outcome !== undefined && behaviour.outcome !== 'done' && behaviour.outcome !== 'fail')
    return 'behaviour.outcome must be done or fail';
  return behaviour as Partial<SandboxBehaviour>;
}

function registerControlRoutes(scope: FastifyInstance, sandbox: AtolSandbox): void {
  scope.put('/control/groups/:groupCode', async (request, reply) => {
    const body = parseJsonText(request.body) as Record<string, unknown> | undefined;
    const behaviour = readBehaviour(body?.behaviour);
    const text = (name: string) => (typeof body?.[name] === 'string' ? (body[name] as string) : undefined);
    if (typeof behaviour === 'string') return reply.code(400).send({ error: behaviour });
    try {
      await sandbox.configureGroup((request.params as Params).groupCode ?? '', {
        login: text('login'),
        password: text('password'),
        inn: text('inn'),
        behaviour,
      });
    } catch (error) {
      return reply.code(400).send({ error: error instanceof Error ? error.message : String(error) });
    }
    return { ok: true };
  });
  scope.post('/control/groups/:groupCode/expire-tokens', async (request) => ({
    expired: await sandbox.expireTokens((request.params as Params).groupCode ?? ''),
  }));
  scope.get('/control/groups/:groupCode/documents', async (request) => ({
    items: await sandbox.listDocuments((request.params as Params).groupCode ?? ''),
  }));
  scope.post('/control/process', async () => ({ finished: await sandbox.processDueDocuments() }));
}

export async function registerAtolSandbox(app: FastifyInstance, deps: Deps): Promise<AtolSandbox> {
  const sandbox = new AtolSandbox({ db: deps.db, clock: deps.clock, logger: deps.logger });
  await app.register(
    async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
      scope.post('/possystem/v5/getToken', async (request, reply) =>
        send(reply, await sandbox.issueToken(parseJsonText(request.body))),
      );
      scope.get('/possystem/v5/getToken', async (request, reply) =>
        send(reply, await sandbox.issueToken(request.query)),
      );
      scope.post('/possystem/v5/:groupCode/:operation', async (request, reply) => {
        const params = request.params as Params;
        const answer = await sandbox.register({
          groupCode: params.groupCode ?? '',
          operation: params.operation ?? '',
          token: headerOf(request.headers.token) ?? (request.query as Params).token,
          contentType: request.headers['content-type'],
          text: typeof request.body === 'string' ? request.body : '',
        });
        return send(reply, answer);
      });
      scope.get('/possystem/v5/:groupCode/report/:uuid', async (request, reply) => {
        const params = request.params as Params;
        const token = headerOf(request.headers.token) ?? (request.query as Params).token;
        return send(
          reply,
          await sandbox.report({ groupCode: params.groupCode ?? '', uuid: params.uuid ?? '', token }),
        );
      });
      registerControlRoutes(scope, sandbox);
    },
    { prefix: SANDBOX_PATH },
  );
  return sandbox;
}
