/** What every module's services receive: passed in, never imported as globals. */
import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import type { CardAcquirer, MethodProvider } from './modules/methods/index.js';
import type { Clock } from './platform/clock.js';
import type { Logger } from './platform/logger.js';
import type { Database } from './schema.js';

export interface Deps {
  readonly config: Config;
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Pause before answering a failed sign-in, growing with failures; 0 in tests. */
  readonly signInFailureDelayMs: number;
  /** External parties behind provider interfaces; the sandbox ones ship with Kopek. */
  readonly providers: Providers;
}

export interface Providers {
  readonly cardAcquirer: CardAcquirer;
  /** One provider per non-card method kind (SBP, wallets, banks, terminals, apps, phone operators). */
  readonly methodProviders: readonly MethodProvider[];
}
