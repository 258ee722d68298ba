// System peers the test suite talks to for real (Foundation issue). Debian/Ubuntu package names.
import { spawnSync } from 'node:child_process';

export const TEST_PEERS = [
  'chromium',
  'socat',
  'mosquitto',
  'mosquitto-clients',
  'libcoap3-bin',
  'openssl',
  'sqlite3',
  'poppler-utils',
  'zbar-tools',
  'cups-daemon',
  'cups-client',
  'fonts-noto-cjk',
];

function installed(pkg) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

/** Returns the missing packages; as root it installs them with apt first. */
export function ensurePeers({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  if (spawnSync('sh', ['-c', 'command -v dpkg-query'], { stdio: 'ignore' }).status !== 0) {
    log('peers: not a Debian/Ubuntu system; install these packages yourself: ' + TEST_PEERS.join(' '));
    return TEST_PEERS;
  }
  let missing = TEST_PEERS.filter((pkg) => !installed(pkg));
  if (missing.length === 0) return [];
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    log(`peers: missing ${missing.join(', ')}. Install them with:\n  sudo sh -c '${command}'`);
    return missing;
  }
  log(`peers: installing ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('sh', ['-c', command], { stdio: ['ignore', 'inherit', 'inherit'], env });
  missing = missing.filter((pkg) => !installed(pkg));
  if (missing.length) log(`peers: still missing after apt: ${missing.join(', ')}`);
  return missing;
}
