import type { z } from 'zod';
import { appRequests, logsEvents, logsRequests } from './app';
import { certificatesEvents, certificatesRequests, vaultRequests } from './certificates';
import type { EventDef, RequestDef } from './define';
import { hubEvents, hubRequests } from './hub';
import { portsEvents, portsRequests } from './ports';
import { assetsEvents, assetsRequests } from './assets';
import { devicesEvents, devicesRequests } from './devices';
import { productsEvents, modelRequests, productsRequests } from './products';
import { syncEvents, syncRequests } from './sync';
import { provisioningEvents, provisioningRequests } from './provisioning';

/**
 * Every request and event between UI and services, by channel name. A domain adds its
 * `shared/contract/<domain>.ts` and spreads its requests and events here; nothing else in the
 * code base spells a channel name.
 */
const requestList = [...Object.values(appRequests), ...Object.values(logsRequests), ...Object.values(productsRequests), ...Object.values(modelRequests), ...Object.values(devicesRequests), ...Object.values(assetsRequests), ...Object.values(syncRequests), ...Object.values(certificatesRequests), ...Object.values(vaultRequests), ...Object.values(portsRequests), ...Object.values(hubRequests), ...Object.values(provisioningRequests)] as const;
const eventList = [...Object.values(logsEvents), ...Object.values(productsEvents), ...Object.values(devicesEvents), ...Object.values(assetsEvents), ...Object.values(syncEvents), ...Object.values(certificatesEvents), ...Object.values(portsEvents), ...Object.values(hubEvents), ...Object.values(provisioningEvents)] as const;

type RequestUnion = (typeof requestList)[number];
type EventUnion = (typeof eventList)[number];

export type Requests = { [R in RequestUnion as R['channel']]: R };
export type Events = { [E in EventUnion as E['channel']]: E };
export type RequestChannel = keyof Requests;
export type EventChannel = keyof Events;

export type RequestInput<C extends RequestChannel> = z.input<Requests[C]['input']>;
export type RequestOutput<C extends RequestChannel> = z.output<Requests[C]['output']>;
export type EventPayload<C extends EventChannel> = z.output<Events[C]['payload']>;

function byChannel<D extends { channel: string }>(defs: readonly D[]): ReadonlyMap<string, D> {
  const map = new Map<string, D>();
  for (const def of defs) {
    if (map.has(def.channel)) throw new Error(`duplicate contract channel ${def.channel}`);
    map.set(def.channel, def);
  }
  return map;
}

export const requests: ReadonlyMap<string, RequestDef> = byChannel<RequestDef>(requestList);
export const events: ReadonlyMap<string, EventDef> = byChannel<EventDef>(eventList);

export * from './app';
export * from './hub';
export * from './ports';
export * from './certificates';
export * from './assets';
export * from './devices';
export * from './products';
export * from './sync';
export * from './provisioning';
export { event, request, type EventDef, type RequestDef } from './define';
