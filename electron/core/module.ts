import type { RequestChannel } from '../../shared/contract';
import type { Result } from '../../shared/result';
import type { Handlers } from '../bridge/dispatcher';
import type { Vault } from '../pki/vault';
import type { Db } from '../registry/database';
import type { ServicesConfig } from '../services';
import type { EventBus } from './event-bus';
import type { Component } from './lifecycle';
import type { LogRoot } from './logger';

/** What every domain module is built from: the open database, the vault, the bus, the clock. */
export interface ServiceContext {
  readonly config: ServicesConfig;
  readonly logger: LogRoot;
  readonly db: Db;
  readonly events: EventBus;
  readonly clock: () => number;
  readonly stationId: string;
  /** The unlocked vault, or VAULT_LOCKED. */
  vault(): Result<Vault>;
}

/**
 * A domain's contribution to the services: the handlers of its contract requests and the
 * components (listeners, pollers) that start and stop with the process, in order.
 */
export interface ServiceModule<K extends RequestChannel> {
  handlers: Pick<Handlers, K>;
  components?: Component[];
}
