/**
 * The fetch used for merchants' URLs in production checks the address each connection really uses, so a
 * name that resolves to a private address at connection time (DNS rebinding) is refused.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicOnlyFetch } from '../../src/platform/network.js';

let server: Server;
let port = 0;
const received: { method: string; body: string; host: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ method: request.method ?? '', body, host: request.headers.host ?? '' });
      if (request.url === '/moved') {
        response.writeHead(302, { location: 'http://example.com/' }).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain', 'x-answer': 'yes' }).end('OK42');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('public-only fetch', () => {
  it('refuses a name that resolves to a loopback address when it connects', async () => {
    const guarded = createPublicOnlyFetch();
    await expect(guarded(`http://localhost:${port}/`)).rejects.toThrow(/refused: localhost resolves to/);
    expect(received).toHaveLength(0);
  });

  it('refuses private address literals, which connect without a lookup', async () => {
    const guarded = createPublicOnlyFetch();
    await expect(guarded(`http://127.0.0.1:${port}/`)).rejects.toThrow(/refused: 127\.0\.0\.1/);
    await expect(guarded(`http://[::1]:${port}/`)).rejects.toThrow(/refused: ::1/);
    expect(received).toHaveLength(0);
  });

  it('behaves like fetch for allowed addresses: method, body, status, headers, no redirects', async () => {
    const allowAll = createPublicOnlyFetch(() => false);
    const response = await allowAll(`http://localhost:${port}/result`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'OutSum=10.00&InvId=42',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-answer')).toBe('yes');
    expect(await response.text()).toBe('OK42');
    expect(received.at(-1)).toEqual({
      method: 'POST',
      body: 'OutSum=10.00&InvId=42',
      host: `localhost:${port}`,
    });

    const redirect = await allowAll(`http://localhost:${port}/moved`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('http://example.com/');
  });

  it('stops at the deadline of its signal', async () => {
    const allowAll = createPublicOnlyFetch(() => false);
    await expect(
      allowAll(`http://localhost:${port}/`, { signal: AbortSignal.abort(new Error('deadline')) }),
    ).rejects.toThrow();
  });
});
