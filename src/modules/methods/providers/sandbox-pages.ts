/**
 * The sandbox providers' own pages, mounted under /sandbox/... outside production: the pages a real
 * bank, wallet, terminal network or phone operator would show. One line per provider.
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../deps.js';
import { registerSandboxBank } from './sandbox-bank.pages.js';
import { registerSbpBankApp } from './sandbox-sbp.pages.js';
import { registerSandboxTerminal } from './sandbox-terminal.pages.js';
import { registerSandboxWallet } from './sandbox-wallet.pages.js';
import { registerSandboxSmsLog } from './sandbox-phone.pages.js';
import { registerSandboxApp } from './sandbox-app.pages.js';

export function registerSandboxMethodPages(app: FastifyInstance, deps: Deps): void {
  registerSbpBankApp(app, deps);
  registerSandboxBank(app, deps);
  registerSandboxTerminal(app, deps);
  registerSandboxWallet(app, deps);
  registerSandboxSmsLog(app, deps);
  registerSandboxApp(app, deps);
}
