import { Option, type Command } from 'commander';
import { AuthSchemeSchema, DeviceProtocolSchema, type Product } from '../../../shared/contract/products';
import { formatNamingRule, parseNamingRule, type NamingRule } from '../../../shared/model/identifiers';
import { globalOptions, withApi } from '../context';
import { printResult, UsageError } from '../output';
import { parseList, readJsonInput } from './input-files';

function namingRule(text: string): NamingRule {
  const rule = parseNamingRule(text);
  if (!rule.ok) throw new UsageError(rule.error.message);
  return rule.value;
}

function describeProduct(product: Product): string {
  const model = product.thingModel;
  const features = model
    ? `${model.modelId}: ${Object.keys(model.attributes).length} attributes, ${Object.keys(model.measurepoints).length} measurepoints, ${Object.keys(model.services).length} services, ${Object.keys(model.events).length} events${model.passthrough ? ', passthrough' : ''}`
    : 'none';
  return [
    `productKey   ${product.productKey}`,
    `name         ${product.name}`,
    ...(product.description ? [`description  ${product.description}`] : []),
    `auth         ${product.authScheme}${product.dynamicActivation ? ' (dynamic activation)' : ''}`,
    `protocols    ${product.protocols.join(',')}`,
    `naming       ${formatNamingRule(product.namingRule)}`,
    `destination  ${product.destination}`,
    `origin       ${product.origin}`,
    `model        ${features}`,
    `revision     ${product.revision}`,
  ].join('\n');
}

export function registerProductCommands(program: Command): void {
  const product = program.command('product').description('products: authentication scheme, protocols, naming rule and thing model');

  product
    .command('create')
    .description('create a product bound to this hub; prints its productKey (and, for product-secret, the productSecret once)')
    .requiredOption('--name <name>', 'product name')
    .addOption(new Option('--auth <scheme>', 'authentication scheme').choices(AuthSchemeSchema.options).makeOptionMandatory())
    .option('--dynamic-activation', 'devices activate with the productSecret (implied by --auth product-secret)')
    .option('--model <file>', 'thing model in the EnOS JSON shape')
    .option('--protocols <list>', 'protocols its devices speak: mqtt,http,coap', 'mqtt')
    .option('--naming <rule>', 'deviceKey naming rule: PREFIX+serial, PREFIX+mac or PREFIX+random', 'random')
    .option('--description <text>', 'description', '')
    .option('--destination <name>', "'local' or a sync target name", 'local')
    .action(async (options, command: Command) => {
      const global = globalOptions(command);
      if (options.dynamicActivation && options.auth !== 'product-secret') throw new UsageError('--dynamic-activation is the product-secret scheme: use --auth product-secret');
      const input = {
        name: options.name as string,
        description: options.description as string,
        authScheme: options.auth as Product['authScheme'],
        protocols: parseList(options.protocols, DeviceProtocolSchema.options, '--protocols'),
        namingRule: namingRule(options.naming),
        destination: options.destination as string,
        thingModel: options.model ? readJsonInput(options.model) : undefined,
      };
      const result = await withApi(global, (api) => api.call('products.create', input));
      printResult(result, global.json, ({ product: created, productSecret }) =>
        [`productKey     ${created.productKey}`, ...(productSecret ? [`productSecret  ${productSecret}   (shown once; later: commissioner product secret ${created.productKey} --reveal)`] : [])].join('\n'),
      );
    });

  product
    .command('list')
    .description('list products')
    .option('--query <text>', 'only products whose key or name contains this')
    .action(async (options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('products.list', { query: options.query }));
      printResult(result, global.json, (products) =>
        products.length === 0
          ? 'no products'
          : products.map((item) => `${item.productKey.padEnd(10)} ${item.authScheme.padEnd(15)} ${item.protocols.join(',').padEnd(14)} ${item.origin.padEnd(6)} ${item.name}`).join('\n'),
      );
    });

  product
    .command('show <productKey>')
    .description('show a product; --model prints its thing model in the EnOS JSON shape')
    .option('--model', 'print the thing model (EnOS JSON) instead')
    .action(async (productKey: string, options, command: Command) => {
      const global = globalOptions(command);
      if (options.model) {
        const result = await withApi(global, (api) => api.call('products.exportModel', { productKey }));
        printResult(result, global.json, (model) => JSON.stringify(model, null, 2));
        return;
      }
      const result = await withApi(global, (api) => api.call('products.get', { productKey }));
      printResult(result, global.json, describeProduct);
    });

  product
    .command('update <productKey>')
    .description('change a product; --model replaces its thing model')
    .option('--name <name>', 'product name')
    .option('--description <text>', 'description')
    .option('--model <file>', 'thing model in the EnOS JSON shape')
    .option('--protocols <list>', 'mqtt,http,coap')
    .option('--naming <rule>', 'PREFIX+serial, PREFIX+mac or PREFIX+random')
    .option('--destination <name>', "'local' or a sync target name")
    .action(async (productKey: string, options, command: Command) => {
      const global = globalOptions(command);
      const input = {
        productKey,
        name: options.name,
        description: options.description,
        protocols: options.protocols ? parseList(options.protocols, DeviceProtocolSchema.options, '--protocols') : undefined,
        namingRule: options.naming ? namingRule(options.naming) : undefined,
        destination: options.destination,
        thingModel: options.model ? readJsonInput(options.model) : undefined,
      };
      const result = await withApi(global, (api) => api.call('products.update', input));
      printResult(result, global.json, describeProduct);
    });

  product
    .command('delete <productKey>')
    .description('delete a product that has no devices')
    .action(async (productKey: string, _options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('products.delete', { productKey }));
      printResult(result, global.json, (value) => `deleted ${value.productKey}`);
    });

  product
    .command('secret <productKey>')
    .description('print the productSecret of a product-secret product (needs --reveal)')
    .option('--reveal', 'really print the secret')
    .action(async (productKey: string, options, command: Command) => {
      const global = globalOptions(command);
      if (!options.reveal) throw new UsageError('the productSecret is printed only with --reveal');
      const result = await withApi(global, (api) => api.call('products.secret', { productKey }));
      printResult(result, global.json, (value) => value.productSecret);
    });
}
