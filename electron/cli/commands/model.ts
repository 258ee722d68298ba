import { Option, type Command } from 'commander';
import type { ModelPayloadKind } from '../../../shared/contract/products';
import type { Violation } from '../../../shared/model/thing-model';
import { globalOptions, withApi } from '../context';
import { EXIT_FAILURE, printResult, UsageError } from '../output';
import { readJsonInput } from './input-files';

interface Check {
  kind: ModelPayloadKind;
  id?: string;
  payload: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What to check: a whole message (request envelope `{method, params}` or a reply `{code, data}`,
 * protocol reference §5.1), or bare params with --id naming the event or service.
 */
export function payloadCheck(kind: 'measurepoints' | 'event' | 'service' | 'attributes', payload: unknown, id?: string): Check {
  const method = isObject(payload) && typeof payload.method === 'string' ? payload.method : undefined;
  const params = method !== undefined && isObject(payload) ? payload.params : payload;
  if (kind === 'measurepoints' || kind === 'attributes') return { kind, payload: kind === 'attributes' && isObject(params) && 'attributes' in params ? params.attributes : params };
  if (kind === 'event') {
    const eventId = id ?? method?.match(/^thing\.event\.(.+)\.post$/)?.[1];
    if (!eventId) throw new UsageError('name the event with --id, or pass the whole thing.event.<id>.post request');
    return { kind: 'event', id: eventId, payload: params };
  }
  if (isObject(payload) && 'code' in payload && method === undefined) {
    if (!id) throw new UsageError('a service reply does not name its service: add --id SERVICE_ID');
    return { kind: 'service-output', id, payload: payload.data ?? {} };
  }
  const serviceId = id ?? method?.match(/^thing\.service\.(.+)$/)?.[1];
  if (!serviceId) throw new UsageError('name the service with --id, or pass the whole thing.service.<id> request');
  return { kind: 'service-input', id: serviceId, payload: params };
}

function printViolations(json: boolean, result: Parameters<typeof printResult<{ valid: boolean; violations: Violation[] }>>[0]): void {
  printResult(result, json, ({ valid, violations }) => (valid ? 'valid' : violations.map((violation) => `${violation.path}: ${violation.message}`).join('\n')));
  if (result.ok && !result.value.valid) process.exitCode = EXIT_FAILURE;
}

export function registerModelCommands(program: Command): void {
  const model = program.command('model').description('thing models: check payloads and model files');

  model
    .command('validate')
    .description("check a payload against a product's thing model; exit 1 with every violation and its JSON path")
    .requiredOption('--product <productKey>', 'the product whose model applies')
    .addOption(new Option('--kind <kind>', 'what the payload is').choices(['measurepoints', 'event', 'service', 'attributes']).makeOptionMandatory())
    .requiredOption('--payload <file>', 'JSON file, or - for stdin: a whole request/reply or its params')
    .option('--id <identifier>', 'event or service identifier, when the payload does not name it')
    .action(async (options, command: Command) => {
      const global = globalOptions(command);
      const check = payloadCheck(options.kind, readJsonInput(options.payload), options.id);
      const result = await withApi(global, (api) => api.call('model.validate', { productKey: options.product, ...check }));
      printViolations(global.json, result);
    });

  model
    .command('check <file>')
    .description('check a thing model file (EnOS JSON shape); exit 1 with every problem and its JSON path')
    .action(async (file: string, _options, command: Command) => {
      const global = globalOptions(command);
      const modelJson = readJsonInput(file);
      const result = await withApi(global, (api) => api.call('model.check', { model: modelJson }));
      printViolations(global.json, result);
    });
}
