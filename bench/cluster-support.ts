/**
 * A local Kopek cluster for bench/cluster.ts and the multi-node drill (test/faults/cluster.ts): two
 * `--role=http` nodes and two `--role=worker` nodes (bench/kopek-server.ts with BENCH_ROLE, started by the
 * fault drills' KopekNode) on one fresh PostgreSQL database, behind a small round-robin load balancer.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { performance } from 'node:perf_hooks';
import { createFaultDatabase, KopekNode, type FaultDatabase } from '../test/faults/fault-support.js';

/**
 * Round robin over the HTTP nodes, one request at a time, as nginx's default upstream does. Keep-alive
 * connections to the nodes (an Agent per node), so the balancer adds a hop but no TCP handshake. A node
 * that refuses the connection gets a 502 for that request; the balancer does no health checks or retries
 * (a retried POST could charge a card twice: that decision belongs to the client and its idempotency key).
 */
export class RoundRobinBalancer {
  private readonly agents: Agent[];
  private next = 0;
  private server: Server | undefined;
  private port = 0;
  /** How many requests each upstream received, by its base URL. */
  readonly requestsByUpstream = new Map<string, number>();

  constructor(private readonly upstreams: readonly string[]) {
    this.agents = upstreams.map(() => new Agent({ keepAlive: true, maxSockets: 64 }));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => this.forward(request, response));
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  private forward(request: IncomingMessage, response: ServerResponse): void {
    const index = this.next % this.upstreams.length;
    this.next += 1;
    const upstream = new URL(this.upstreams[index] ?? '');
    this.requestsByUpstream.set(upstream.origin, (this.requestsByUpstream.get(upstream.origin) ?? 0) + 1);
    const outgoing = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        // As a reverse proxy in production does; Kopek reads it only with TRUST_PROXY=1.
        headers: { ...request.headers, 'x-forwarded-for': request.socket.remoteAddress ?? '' },
        agent: this.agents[index],
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.on('error', () => {
      if (!response.headersSent) response.writeHead(502).end('Bad Gateway');
      else response.destroy();
    });
    request.pipe(outgoing);
  }

  async stop(): Promise<void> {
    for (const agent of this.agents) agent.destroy();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface Cluster {
  readonly database: FaultDatabase;
  readonly httpNodes: KopekNode[];
  readonly workerNodes: KopekNode[];
  readonly balancer: RoundRobinBalancer;
  /** How long the four nodes took to start, one after another (ms). */
  readonly startMs: number;
  stop(): Promise<void>;
}

/**
 * Starts the nodes one after another: the first runs the migrations and the demo data on the empty
 * database, so the others start on a ready schema (concurrent starts are safe too, thanks to the migration
 * advisory lock, but sequential starts keep the drill's timings readable).
 */
export async function startCluster(
  options: { httpNodes?: number; workerNodes?: number } = {},
): Promise<Cluster> {
  const startedAt = performance.now();
  const database = await createFaultDatabase();
  const httpNodes: KopekNode[] = [];
  const workerNodes: KopekNode[] = [];
  const stopAll = async () => {
    await Promise.all([...httpNodes, ...workerNodes].map((node) => node.stop()));
  };
  try {
    for (let index = 0; index < (options.httpNodes ?? 2); index += 1)
      httpNodes.push(await KopekNode.start(database.url, 'http'));
    for (let index = 0; index < (options.workerNodes ?? 2); index += 1)
      workerNodes.push(await KopekNode.start(database.url, 'worker'));
  } catch (error) {
    await stopAll();
    await database.drop();
    throw error;
  }
  const balancer = new RoundRobinBalancer(httpNodes.map((node) => node.baseUrl));
  await balancer.start();
  return {
    database,
    httpNodes,
    workerNodes,
    balancer,
    startMs: performance.now() - startedAt,
    async stop() {
      await balancer.stop();
      await stopAll();
      await database.drop();
    },
  };
}
