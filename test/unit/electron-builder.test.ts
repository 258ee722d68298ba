import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { keystoreProtector } from '../../electron/main/key-protector';

const require = createRequire(import.meta.url);

describe('electron-builder.yml', () => {
  const config = load(readFileSync('electron-builder.yml', 'utf8')) as Record<string, unknown>;

  it('validates offline against the installed electron-builder schema', () => {
    const schema = require('app-builder-lib/scheme.json');
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    const validate = ajv.compile(schema);
    expect(validate(config), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The schema is strict enough to catch a misspelt key or a wrong type.
    expect(validate({ ...config, asarUnpak: ['x'] })).toBe(false);
    expect(validate({ ...config, linux: { target: 5 } })).toBe(false);
  });

  it('targets Linux, Windows and macOS and unpacks the native modules from asar', () => {
    expect(config.linux).toMatchObject({ target: ['AppImage', 'deb'] });
    expect(config.win).toMatchObject({ target: ['nsis'] });
    expect(config.mac).toMatchObject({ target: ['dmg'] });
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/**/*', 'node_modules/@serialport/**/*']));
    expect(config.electronVersion).toBe(require('electron/package.json').version);
  });
});

describe('package.json', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  it('pins Electron 41.7.1, denies its install script and allows the native builds', () => {
    expect(pkg.devDependencies.electron).toBe('41.7.1');
    expect(pkg.allowScripts).toMatchObject({ electron: false, 'better-sqlite3': true, '@serialport/bindings-cpp': true });
    expect(pkg.scripts.postinstall).toBeUndefined();
  });
});

describe('OS keystore protector', () => {
  const storage = (backend: string, available = true) => ({
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (text: string) => Buffer.from(text).reverse(),
    decryptString: (buffer: Buffer) => Buffer.from(buffer).reverse().toString(),
  });

  it('is refused where it would be weak or missing, so a passphrase is asked instead', () => {
    expect(keystoreProtector(storage('basic_text'), 'linux')).toBeNull();
    expect(keystoreProtector(storage('gnome_libsecret', false), 'linux')).toBeNull();
  });

  it('round-trips a data key through a real backend', () => {
    const protector = keystoreProtector(storage('gnome_libsecret'), 'linux')!;
    const key = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
    expect(protector.decrypt(protector.encrypt(key))).toEqual(key);
  });
});
