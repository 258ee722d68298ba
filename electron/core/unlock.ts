import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { err, ok, type Result } from '../../shared/result';
import type { Unlock } from '../pki/vault';

/** Reads a line from the terminal without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  process.stderr.write(question);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/**
 * Headless unlock (architecture §2): the passphrase comes from `COMMISSIONER_PASSPHRASE`, or from
 * the terminal when there is one; otherwise the vault stays locked with a clear VAULT_LOCKED.
 */
export async function passphraseUnlock(options: { env?: NodeJS.ProcessEnv; confirm?: boolean } = {}): Promise<Result<Unlock>> {
  const env = options.env ?? process.env;
  if (env.COMMISSIONER_PASSPHRASE) return ok({ method: 'passphrase', passphrase: env.COMMISSIONER_PASSPHRASE });
  if (!process.stdin.isTTY) return err('VAULT_LOCKED');
  const passphrase = await promptHidden('Vault passphrase: ');
  if (!passphrase) return err('VAULT_LOCKED', 'An empty passphrase cannot protect the vault.');
  if (options.confirm && (await promptHidden('Repeat the passphrase: ')) !== passphrase) {
    return err('VAULT_LOCKED', 'The two passphrases differ.');
  }
  return ok({ method: 'passphrase', passphrase });
}
