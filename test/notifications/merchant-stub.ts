/**
 * A merchant's server for the notification tests: a real node:http server on loopback that records what
 * it receives and answers as the test says.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  /** Path and query exactly as they arrived. */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export interface StubAnswer {
  readonly status?: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** Never answer: the caller's deadline must end the call. */
  readonly isHanging?: boolean;
}

export type Responder = (request: ReceivedRequest) => StubAnswer;

export interface MerchantStub {
  readonly port: number;
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  respondWith(responder: Responder): void;
  /** Answers these in turn, then repeats the last. */
  respondInTurn(...answers: StubAnswer[]): void;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startMerchantStub(
  responder: Responder = () => ({ body: 'OK' }),
  port = 0,
): Promise<MerchantStub> {
  let current = responder;
  const requests: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: ReceivedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(received);
      const answer = current(received);
      if (answer.isHanging) return;
      response.writeHead(answer.status ?? 200, { 'content-type': 'text/plain', ...answer.headers });
      response.end(answer.body ?? '');
    });
  });
  const boundPort = await listen(server, port);
  return {
    port: boundPort,
    origin: `http://127.0.0.1:${boundPort}`,
    requests,
    respondWith(next) {
      current = next;
    },
    respondInTurn(...answers) {
      let index = 0;
      current = () => {
        const answer = answers[Math.min(index, answers.length - 1)] ?? {};
        index += 1;
        return answer;
      };
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port with nothing listening on it (connection refused), to be opened later. */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server, 0);
  await new Promise((resolve) => server.close(resolve));
  return port;
}
