/**
 * The method providers an installation runs with: the sandboxes that ship with Kopek, one per kind.
 * A real provider replaces a sandbox here (through RuntimeOverrides.providers in tests) without any
 * other code knowing: checkout and payments find providers by method kind and by name only.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Database } from '../../../schema.js';
import type { PaymentMethodKind } from '../catalog.js';
import type { MethodProvider } from './method-provider.js';
import { SandboxBankProvider } from './sandbox-bank.js';
import { SandboxSbpProvider } from './sandbox-sbp.js';
import { SandboxTerminalProvider } from './sandbox-terminal.js';
import { SandboxWalletProvider } from './sandbox-wallet.js';
import { SandboxPhoneProvider } from './sandbox-phone.js';
import { SandboxAppProvider } from './sandbox-app.js';

export interface SandboxProviderOptions {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly masterKey: Buffer;
  readonly publicUrl: string;
}

export function createSandboxMethodProviders(options: SandboxProviderOptions): MethodProvider[] {
  return [
    new SandboxSbpProvider(options),
    new SandboxTerminalProvider(options),
    new SandboxWalletProvider(options),
    new SandboxPhoneProvider(options),
    new SandboxBankProvider(options),
    new SandboxAppProvider(options),
  ];
}

export function findProviderForKind(
  providers: readonly MethodProvider[],
  kind: PaymentMethodKind,
): MethodProvider | undefined {
  return providers.find((provider) => provider.kinds.includes(kind));
}

export function findProviderByName(
  providers: readonly MethodProvider[],
  name: string,
): MethodProvider | undefined {
  return providers.find((provider) => provider.name === name);
}
