import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createLogger } from '../../electron/core/logger';
import { Hub, type HubOptions } from '../../electron/hub/hub';
import { MemoryDirectory } from '../../electron/hub/memory-directory';
import { buildMqttCredentials, type LoginInput } from '../../electron/protocol';
import type { ThingModel } from '../../shared/model/thing-model';

/** Demo values of protocol reference §12. */
export const PK = 'pKdemo01';
export const DK = 'dev-001';
export const DEVICE_SECRET = 'DsDemoSecret0001';
export const DYN_PK = 'pKdyn001';
export const PRODUCT_SECRET = 'PsDemoSecret0001';
export const SUB_PK = 'pKsub001';
export const SUB_SECRET = 'SubDevSecret0007';

export const demoModel: ThingModel = {
  modelId: 'demo',
  name: { defaultValue: 'demo' },
  attributes: { location: { identifier: 'location', dataType: 'STRING', dataDefinition: { maxLength: 64 } } },
  measurepoints: {
    temp: { identifier: 'temp', dataType: 'DOUBLE', dataDefinition: null },
    note: { identifier: 'note', dataType: 'STRING', dataDefinition: { maxLength: 1024 } },
  },
  services: {
    reboot: { identifier: 'reboot', callType: 'SYNC', inputData: [{ identifier: 'delay', dataType: 'INT', dataDefinition: null }], outputData: [{ identifier: 'done', dataType: 'BOOL', dataDefinition: null }] },
    flash: { identifier: 'flash', callType: 'ASYNC', inputData: [], outputData: [] },
  },
  events: { alarm: { identifier: 'alarm', eventType: 'WARN', outputData: [{ identifier: 'level', dataType: 'INT', dataDefinition: null }] } },
};

/** A directory with the §12 demo devices, a dynamic-activation product, a gateway and a sub-device. */
export function demoDirectory(): MemoryDirectory {
  const directory = new MemoryDirectory();
  directory.addProduct({ productKey: PK, authScheme: 'device-secret', dynamicActivation: false, thingModel: demoModel });
  directory.addDevice({ productKey: PK, deviceKey: DK, deviceSecret: DEVICE_SECRET });
  directory.addDevice({ productKey: PK, deviceKey: 'dev-002', deviceSecret: 'DsDemoSecret0002' });
  directory.addDevice({ productKey: PK, deviceKey: 'dev-off', deviceSecret: 'DsDemoSecretOff1', state: 'disabled' });
  directory.addDevice({ productKey: PK, deviceKey: 'monitor', deviceSecret: 'DsMonitorSecret1' });
  directory.addProduct({ productKey: DYN_PK, authScheme: 'product-secret', dynamicActivation: true, thingModel: demoModel, productSecret: PRODUCT_SECRET });
  directory.addDevice({ productKey: DYN_PK, deviceKey: 'dyn-001', deviceSecret: null, state: 'planned' });
  directory.addProduct({ productKey: SUB_PK, authScheme: 'device-secret', dynamicActivation: false, thingModel: demoModel });
  directory.addDevice({ productKey: SUB_PK, deviceKey: 'sub-007', deviceSecret: SUB_SECRET });
  directory.addSubDevice({ productKey: PK, deviceKey: 'dev-002' }, { productKey: SUB_PK, deviceKey: 'sub-007' });
  return directory;
}

export function quietLogger() {
  return createLogger({ level: 'fatal', ringSize: 100 });
}

export async function startHub(overrides: Partial<HubOptions> = {}): Promise<{ hub: Hub; directory: MemoryDirectory; url: string }> {
  const directory = (overrides.directory as MemoryDirectory | undefined) ?? demoDirectory();
  const hub = new Hub({ directory, logger: quietLogger(), listeners: { host: '127.0.0.1', mqtt: 0 }, sampleMs: 50, ...overrides });
  const ports = await hub.start();
  return { hub, directory, url: `mqtt://127.0.0.1:${ports.mqtt}` };
}

export function credentials(input: Partial<LoginInput> = {}) {
  return buildMqttCredentials({ productKey: PK, deviceKey: DK, secret: DEVICE_SECRET, secureMode: 2, timestamp: '1700000000000', ...input });
}

/** Connects with EnOS credentials; rejects with the CONNACK error on refusal. `before` sees the client first. */
export function connect(url: string, login: { clientId: string; username: string; password: string }, options: IClientOptions = {}, before?: (client: MqttClient) => void): Promise<MqttClient> {
  const client = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...login, ...options });
  before?.(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });
}

/** Resolves with the next message on `topic`. */
export function nextMessage(client: MqttClient, topic: string): Promise<{ topic: string; payload: Buffer; json: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const listener = (received: string, payload: Buffer) => {
      if (received !== topic) return;
      client.off('message', listener);
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(payload.toString());
      } catch {
        // raw payloads stay in `payload`
      }
      resolve({ topic: received, payload, json });
    };
    client.on('message', listener);
  });
}

/** Subscribes to `<topic>_reply`, publishes, and resolves with the reply envelope. */
export async function request(client: MqttClient, topic: string, body: unknown): Promise<Record<string, unknown>> {
  await client.subscribeAsync(`${topic}_reply`, { qos: 1 });
  const reply = nextMessage(client, `${topic}_reply`);
  await client.publishAsync(topic, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
  return (await reply).json;
}
