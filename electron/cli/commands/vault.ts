import type { Command } from 'commander';
import type { z } from 'zod';
import type { VaultStatusSchema } from '../../../shared/contract/certificates';
import { promptHidden } from '../../core/unlock';
import { globalOptions, withApi } from '../context';
import { printResult, UsageError } from '../output';

function statusText(status: z.infer<typeof VaultStatusSchema>): string {
  if (!status.initialized) return 'No vault: run `commissioner init`.';
  return `Vault ${status.unlocked ? 'unlocked' : 'locked'}; protected by ${status.methods.join(' and ')}`;
}

/** A new secret the user chooses: from `envName`, or asked twice on a terminal. */
export async function chosenSecret(envName: string, what: string): Promise<string> {
  const fromEnv = process.env[envName];
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) throw new UsageError(`set ${envName} (or run in a terminal) to give the ${what}`);
  const chosen = await promptHidden(`${what[0]!.toUpperCase()}${what.slice(1)}: `);
  if ((await promptHidden('Repeat it: ')) !== chosen) throw new UsageError(`the two entries of the ${what} differ`);
  return chosen;
}

/** The current passphrase: COMMISSIONER_PASSPHRASE, or asked on a terminal; absent for a keystore-only vault. */
async function currentPassphrase(): Promise<string | undefined> {
  if (process.env.COMMISSIONER_PASSPHRASE) return process.env.COMMISSIONER_PASSPHRASE;
  return process.stdin.isTTY ? promptHidden('Current vault passphrase: ') : undefined;
}

export function registerVaultCommands(program: Command): void {
  const vault = program.command('vault').description('the secrets vault: status, unlock a running station, change the passphrase');

  vault
    .command('status')
    .description('is there a vault, is it unlocked, which unlock methods protect it')
    .action(async (_options, command: Command) => {
      const global = globalOptions(command);
      printResult(await withApi(global, (api) => api.call('vault.status', {})), global.json, statusText);
    });

  vault
    .command('unlock')
    .description('unlock the vault of a running station or hub that started locked (COMMISSIONER_PASSPHRASE or asked)')
    .action(async (_options, command: Command) => {
      const global = globalOptions(command);
      const passphrase = await currentPassphrase();
      if (!passphrase) throw new UsageError('set COMMISSIONER_PASSPHRASE or run in a terminal');
      printResult(await withApi(global, (api) => api.call('vault.unlock', { passphrase }), { requireOwner: true }), global.json, statusText);
    });

  vault
    .command('passphrase')
    .description('change the vault passphrase (re-wraps the data key; secrets are not re-encrypted)')
    .action(async (_options, command: Command) => {
      const global = globalOptions(command);
      const current = await currentPassphrase();
      const next = await chosenSecret('COMMISSIONER_NEW_PASSPHRASE', 'new vault passphrase');
      const result = await withApi(global, (api) => api.call('vault.changePassphrase', { current, next }));
      printResult(result, global.json, () => 'Vault passphrase changed.');
    });
}
