import type { RequestChannel } from '../../shared/contract';
import type { ModelPayloadKind } from '../../shared/contract/products';
import { exportThingModel, parseThingModel } from '../../shared/model/thing-model-json';
import {
  validateAttributes,
  validateEvent,
  validateMeasurepoints,
  validateServiceInput,
  validateServiceOutput,
  type ThingModel,
  type Violation,
} from '../../shared/model/thing-model';
import { err, ok, type Result } from '../../shared/result';
import type { ServiceContext, ServiceModule } from '../core/module';
import { AssetTrees } from './asset-trees';
import { Registry } from './registry';

type RegistryChannel = Extract<RequestChannel, `products.${string}` | `devices.${string}` | `model.${string}` | `assets.${string}`>;

export interface RegistryModule extends ServiceModule<RegistryChannel> {
  registry: Registry;
  assets: AssetTrees;
}

function checkPayload(model: ThingModel, kind: ModelPayloadKind, id: string | undefined, payload: unknown): Result<Violation[]> {
  switch (kind) {
    case 'measurepoints':
      return ok(validateMeasurepoints(model, payload));
    case 'attributes':
      return ok(validateAttributes(model, payload));
    case 'event':
      return id ? ok(validateEvent(model, id, payload)) : err('INVALID_INPUT', 'Name the event (--id EVENT_ID) or pass the whole request envelope.');
    case 'service-input':
      return id ? ok(validateServiceInput(model, id, payload)) : err('INVALID_INPUT', 'Name the service (--id SERVICE_ID) or pass the whole request envelope.');
    case 'service-output':
      return id ? ok(validateServiceOutput(model, id, payload)) : err('INVALID_INPUT', 'Name the service (--id SERVICE_ID).');
  }
}

/** Domains `products`, `devices`, `model` and `assets`: the local registry (issue 4). */
export function createRegistryModule(context: ServiceContext): RegistryModule {
  const registry = new Registry(context);
  const assets = new AssetTrees(context, registry);
  const product = (productKey: string) => {
    const found = registry.getProduct(productKey);
    return found ? ok(found) : err<never>('NOT_FOUND', `No product "${productKey.slice(0, 40)}" in the registry. See \`commissioner product list\`.`);
  };
  return {
    registry,
    assets,
    // Nothing to start or stop: the registry is synchronous SQLite behind the handlers.
    components: [],
    handlers: {
      'products.list': (input) => ok(registry.listProducts(input.query)),
      'products.get': (input) => product(input.productKey),
      'products.create': (input) => registry.createProduct(input),
      'products.update': (input) => registry.updateProduct(input),
      'products.delete': (input) => registry.deleteProduct(input.productKey),
      'products.secret': (input) => {
        const secret = registry.productSecret(input.productKey);
        return secret.ok ? ok({ productKey: input.productKey, productSecret: secret.value }) : secret;
      },
      'products.exportModel': (input) => {
        const found = product(input.productKey);
        if (!found.ok) return found;
        return found.value.thingModel ? ok(exportThingModel(found.value.thingModel)) : err('NOT_FOUND', `Product ${input.productKey} has no thing model.`);
      },
      'products.importModel': (input) => registry.updateProduct({ productKey: input.productKey, thingModel: input.model }),
      'model.validate': (input) => {
        const found = product(input.productKey);
        if (!found.ok) return found;
        if (!found.value.thingModel) return err('NOT_FOUND', `Product ${input.productKey} has no thing model to validate against.`);
        const violations = checkPayload(found.value.thingModel, input.kind, input.id, input.payload);
        return violations.ok ? ok({ valid: violations.value.length === 0, violations: violations.value }) : violations;
      },
      'model.check': (input) => {
        const parsed = parseThingModel(input.model);
        return ok(parsed.ok ? { valid: true, violations: [] } : { valid: false, violations: parsed.violations });
      },
      'devices.list': (input) => registry.listDevices(input),
      'devices.get': (input) => registry.resolveDevice(input.ref),
      'devices.create': (input) => registry.createDevice(input),
      'devices.update': (input) => registry.updateDevice(input),
      'devices.delete': (input) => registry.deleteDevice(input.ref),
      'devices.secret': (input) => {
        const device = registry.resolveDevice(input.ref);
        if (!device.ok) return device;
        const secret = registry.deviceSecret(device.value.productKey, device.value.deviceKey);
        return secret.ok ? ok({ productKey: device.value.productKey, deviceKey: device.value.deviceKey, deviceSecret: secret.value }) : secret;
      },
      'devices.import': (input) => registry.importDevices(input.csv, { productKey: input.productKey, dryRun: input.dryRun }),
      'devices.export': (input) => registry.exportDevices(input.productKey),
      'devices.stats': () => ok(registry.devices.stats()),
      'devices.count': (input) => ok({ total: registry.devices.count(input) }),
      ...assets.handlers(),
    },
  };
}
