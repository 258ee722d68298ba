import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalApi } from '../../electron/bridge/local-api';
import { openServices } from '../../electron/services';
import { ok } from '../../shared/result';
import { TEST_PASSPHRASE, initDataDir, tempDir } from '../helpers/cli';

async function withApi<T>(data: string, body: (api: ReturnType<typeof createLocalApi>) => Promise<T>): Promise<T> {
  const services = await openServices({ dataDir: data, host: 'cli', logLevel: 'fatal', unlock: async () => ok({ method: 'passphrase' as const, passphrase: TEST_PASSPHRASE }) });
  if (!services.ok) throw new Error(services.error.message);
  await services.value.start();
  try {
    return await body(createLocalApi(services.value.dispatcher, services.value.events));
  } finally {
    await services.value.stop();
  }
}

describe('watched serial paths', () => {
  it('survive a restart of the services', async () => {
    const data = initDataDir();
    const slots = tempDir('slots-');
    await withApi(data, async (api) => expect((await api.call('ports.watch', { patterns: [join(slots, 'slot-*')] })).ok).toBe(true));
    writeFileSync(join(slots, 'slot-1'), '');
    const listed = await withApi(data, (api) => api.call('ports.list', {}));
    expect(listed.ok && listed.value.map((port) => port.path)).toContain(join(slots, 'slot-1'));
  });
});
