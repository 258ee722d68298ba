import { Command, Option } from 'commander';
import { appVersion } from '../app/version';
import { registerAppCommands } from './commands/app';
import { registerCaCommands } from './commands/ca';
import { registerCertCommands } from './commands/cert';
import { registerAssetCommands } from './commands/asset';
import { registerDeviceCommands } from './commands/device';
import { registerModelCommands } from './commands/model';
import { registerProductCommands } from './commands/product';
import { registerSerialCommands } from './commands/serial';
import { registerProvisioningCommands } from './commands/provisioning';
import { registerHubCommands } from './commands/hub';
import { registerStationCommands } from './commands/station';
import { registerVaultCommands } from './commands/vault';
import { registerSyncCommands } from './commands/sync';

/**
 * The `commissioner` command. Global options apply to every command; each command group lives in
 * `commands/<group>.ts` and registers itself here.
 */
export function createProgram(): Command {
  const program = new Command('commissioner')
    .description('Commission EnOS devices: embedded hub, serial provisioning, verification, registry and sync.')
    .version(appVersion(), '-V, --version-flag', 'print the version number')
    .addOption(new Option('--data <dir>', 'data folder (default: the OS user-data folder)').env('COMMISSIONER_DATA'))
    .option('--json', 'print results as JSON: {"ok":true,"value":…} or {"ok":false,"error":{code,message}}')
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal']))
    .showHelpAfterError()
    // Settings set here are inherited by every command registered below.
    .exitOverride();
  registerAppCommands(program);
  registerStationCommands(program);
  registerHubCommands(program);
  registerSerialCommands(program);
  registerCaCommands(program);
  registerCertCommands(program);
  registerVaultCommands(program);
  registerSyncCommands(program);
  registerProductCommands(program);
  registerModelCommands(program);
  registerDeviceCommands(program);
  registerAssetCommands(program);
  registerProvisioningCommands(program);
  return program;
}
