import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { initDataDir, runCli, type CliRun } from '../helpers/cli';

const MODELS = resolve(__dirname, '../../resources/models');

describe('registry through the built CLI on a real SQLite file', () => {
  let dir: string;
  const cli = (...args: string[]) => runCli(['--data', dir, ...args]);
  const cliInput = (input: string, ...args: string[]) => runCli(['--data', dir, ...args], { input });
  const json = (...args: string[]) => {
    const run = cli('--json', ...args);
    // The value's shape differs per command; the assertions below check it.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return run.json<{ ok: boolean; value: any; error?: { code: string; message: string } }>();
  };
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const dbRows = (sql: string) => {
    const db = new Database(join(dir, 'commissioner.db'), { readonly: true });
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  };
  const failsWith = (run: CliRun, code: string) => {
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain(`error ${code}:`);
  };
  let inverter: string;
  let dynamic: string;

  beforeAll(() => {
    dir = initDataDir();
  });

  it('creates products: productKey printed, productSecret once for product-secret', () => {
    const created = cli('product', 'create', '--name', 'Inverter', '--auth', 'device-secret', '--model', join(MODELS, 'inverter.json'), '--protocols', 'mqtt,http', '--naming', 'inv-+serial');
    expect(created.status, created.stderr).toBe(0);
    inverter = created.stdout.match(/^productKey\s+([A-Za-z0-9]{8})$/m)![1]!;
    expect(created.stdout).not.toContain('productSecret');

    const withSecret = cli('product', 'create', '--name', 'Sensor', '--auth', 'product-secret', '--dynamic-activation', '--model', join(MODELS, 'environmental-sensor.json'));
    expect(withSecret.status, withSecret.stderr).toBe(0);
    dynamic = withSecret.stdout.match(/^productKey\s+(\S+)$/m)![1]!;
    const secret = withSecret.stdout.match(/^productSecret\s+([A-Za-z0-9]{20})\b/m)![1]!;
    expect(cli('product', 'secret', dynamic, '--reveal').stdout.trim()).toBe(secret);
    expect(cli('product', 'secret', dynamic).status).toBe(2);
    expect(JSON.stringify(dbRows('SELECT * FROM products'))).not.toContain(secret);
    expect(JSON.stringify(dbRows('SELECT payload FROM outbox'))).not.toContain(secret);
    expect(json('product', 'show', dynamic).value).toMatchObject({ authScheme: 'product-secret', dynamicActivation: true, origin: 'local' });
  });

  it('refuses bad product input with its code and writes nothing', () => {
    const before = dbRows('SELECT count(*) AS n FROM outbox')[0]!.n;
    expect(cli('product', 'create', '--name', 'X', '--auth', 'device-secret', '--dynamic-activation').status).toBe(2);
    expect(cli('product', 'create', '--name', 'X', '--auth', 'password').status).toBe(2);
    const badModel = file('bad-model.json', JSON.stringify({ modelId: 'x', measurepoints: { p: { dataType: 'ENUM', dataDefinition: '{"enumDesc":{}}' } } }));
    const refused = cli('product', 'create', '--name', 'X', '--auth', 'device-secret', '--model', badModel);
    failsWith(refused, 'THING_MODEL_INVALID');
    expect(refused.stderr).toContain('$.measurepoints.p.dataDefinition.enumDesc');
    failsWith(cli('product', 'show', 'nope1234'), 'NOT_FOUND');
    expect(dbRows('SELECT count(*) AS n FROM outbox')[0]!.n).toBe(before);
  });

  it('exports a model in the EnOS shape that checks clean, and updates products', () => {
    const exported = cli('product', 'show', inverter, '--model');
    expect(exported.status).toBe(0);
    const model = JSON.parse(exported.stdout);
    expect(typeof model.measurepoints.dcVoltages.dataDefinition).toBe('string');
    expect(cli('model', 'check', file('exported.json', exported.stdout)).stdout.trim()).toBe('valid');
    const check = cli('model', 'check', file('dup.json', JSON.stringify({ ...model, attributes: { ...model.attributes, activePower: model.measurepoints.activePower } })));
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('duplicate identifier "activePower"');
    expect(json('product', 'update', inverter, '--name', 'PV Inverter').value).toMatchObject({ name: 'PV Inverter', protocols: ['mqtt', 'http'] });
    expect(cli('product', 'list').stdout).toContain('PV Inverter');
  });

  it('validates payloads against the model: exit 0 when valid, exit 1 with each violation path', () => {
    const good = file('good.json', JSON.stringify({ id: '1', version: '1.0', method: 'thing.measurepoint.post', params: { measurepoints: { activePower: { value: 12.5, quality: 0 }, operatingState: 1 }, time: 1700000000000 } }));
    const ok = cli('model', 'validate', '--product', inverter, '--kind', 'measurepoints', '--payload', good);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe('valid');
    const bad = cliInput(JSON.stringify({ measurepoints: { operatingState: 7, dcVoltages: [600, 'high'], nope: 1 } }), 'model', 'validate', '--product', inverter, '--kind', 'measurepoints', '--payload', '-');
    expect(bad.status).toBe(1);
    expect(bad.stdout.split('\n').filter(Boolean).map((line) => line.split(':')[0])).toEqual(['$.measurepoints.operatingState', '$.measurepoints.dcVoltages[1]', '$.measurepoints.nope']);
    const event = cliInput(JSON.stringify({ method: 'thing.event.fault.post', params: { events: { code: 'E1' } } }), '--json', 'model', 'validate', '--product', inverter, '--kind', 'event', '--payload', '-');
    expect(event.status).toBe(1);
    expect(event.json()).toMatchObject({ ok: true, value: { valid: false, violations: [{ path: '$.events.code' }] } });
    const service = cliInput(JSON.stringify({ method: 'thing.service.setPowerLimit', params: { percent: 150 } }), 'model', 'validate', '--product', inverter, '--kind', 'service', '--payload', '-');
    expect(service.stdout).toContain('$.percent: 150 is above the maximum 100');
    const reply = cliInput(JSON.stringify({ id: '3', code: 200, data: { accepted: true } }), 'model', 'validate', '--product', inverter, '--kind', 'service', '--id', 'setPowerLimit', '--payload', '-');
    expect(reply.status).toBe(0);
    expect(cliInput('{}', 'model', 'validate', '--product', inverter, '--kind', 'event', '--payload', '-').status).toBe(2);
    expect(cliInput('not json', 'model', 'validate', '--product', inverter, '--kind', 'measurepoints', '--payload', '-').status).toBe(2);
    failsWith(cliInput('{}', 'model', 'validate', '--product', 'nope1234', '--kind', 'measurepoints', '--payload', '-'), 'NOT_FOUND');
  });

  it('creates devices: deviceSecret once for device-secret products, none for product-secret', () => {
    const created = cli('device', 'create', '--product', inverter, '--serial', 'SN0001', '--name', 'Roof 1');
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^deviceKey\s+inv-SN0001$/m);
    const secret = created.stdout.match(/^deviceSecret\s+([A-Za-z0-9]{20})\b/m)![1]!;
    expect(cli('device', 'secret', 'inv-SN0001', '--reveal').stdout.trim()).toBe(secret);
    expect(cli('device', 'secret', 'inv-SN0001').status).toBe(2);
    expect(JSON.stringify(dbRows('SELECT * FROM devices'))).not.toContain(secret);

    const dyn = cli('device', 'create', '--product', dynamic, '--device-key', 'env-1');
    expect(dyn.status).toBe(0);
    expect(dyn.stdout).not.toContain('deviceSecret');
    failsWith(cli('device', 'secret', `${dynamic}/env-1`, '--reveal'), 'NOT_FOUND');

    failsWith(cli('device', 'create', '--product', inverter, '--serial', 'SN0001'), 'ALREADY_EXISTS');
    failsWith(cli('device', 'create', '--product', 'nope1234'), 'NOT_FOUND');
    failsWith(cli('device', 'create', '--product', inverter), 'VALIDATION_FAILED');
    failsWith(cli('device', 'create', '--product', inverter, '--device-key', 'bad key'), 'INVALID_IDENTIFIER');
  });

  it('updates attributes only when they match the model', () => {
    const attributes = file('attrs.json', JSON.stringify({ ratedPower: 50, gridCode: 'G99' }));
    expect(json('device', 'update', 'inv-SN0001', '--attributes', attributes, '--tags', 'site=north').value).toMatchObject({ attributes: { ratedPower: 50, gridCode: 'G99' }, tags: { site: 'north' } });
    const bad = cli('device', 'update', 'inv-SN0001', '--attributes', file('bad-attrs.json', JSON.stringify({ ratedPower: 900, gridCode: 'X' })));
    failsWith(bad, 'MODEL_VIOLATION');
    expect(bad.stderr).toContain('$.ratedPower');
    expect(bad.stderr).toContain('$.gridCode');
    expect(json('device', 'show', `${inverter}/inv-SN0001`).value.attributes).toEqual({ ratedPower: 50, gridCode: 'G99' });
  });

  it('dry-runs a bad CSV listing every bad row by line, and imports nothing', () => {
    const csv = file(
      'bad.csv',
      ['deviceKey,name,serial,mac', 'inv-A1,A1,A1,', 'bad key,B,,', 'inv-A3,A3,,not-a-mac', 'inv-A1,dup,,', ',noserial,,', 'inv-SN0001,exists,,', 'inv-A7,short'].join('\n'),
    );
    const before = dbRows('SELECT count(*) AS n FROM devices')[0]!.n;
    const dry = cli('device', 'import', csv, '--product', inverter, '--dry-run');
    expect(dry.status).toBe(1);
    expect(dry.stdout.split('\n').filter((line) => line.startsWith('line ')).map((line) => line.match(/^line (\d+)/)![1])).toEqual(['3', '4', '5', '6', '7', '8']);
    expect(dry.stdout).toContain('line 5 (deviceKey): duplicate device');
    expect(dry.stdout).toContain('line 7 (deviceKey): device');
    const real = cli('device', 'import', csv, '--product', inverter);
    failsWith(real, 'CSV_INVALID');
    expect(real.stderr).toContain('line 3');
    expect(dbRows('SELECT count(*) AS n FROM devices')[0]!.n).toBe(before);
  });

  it('refuses CSVs with wrong columns or encodings at line 1 / the bad line', () => {
    const wrongColumns = cli('device', 'import', file('cols.csv', 'serial,colour\nx,y\n'), '--product', inverter, '--dry-run');
    expect(wrongColumns.status).toBe(1);
    expect(wrongColumns.stdout).toContain('line 1 (colour)');
    const latin1 = Buffer.concat([Buffer.from('deviceKey,name\nok,'), Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]), Buffer.from('\n')]);
    const encoding = cli('device', 'import', file('latin1.csv', latin1), '--product', inverter);
    failsWith(encoding, 'CSV_INVALID');
    expect(encoding.stderr).toContain('line 2');
    const unknownProduct = file('unknown.csv', 'productKey,deviceKey\nnope1234,d1\n');
    expect(cli('device', 'import', unknownProduct, '--dry-run').stdout).toContain('line 2 (productKey): no product "nope1234"');
    failsWith(cli('device', 'import', unknownProduct), 'CSV_INVALID');
  });

  it('imports a valid CSV (with secrets for moved devices) and pages through the list with a cursor', () => {
    const rows = ['productKey,deviceKey,name,serial,deviceSecret', `${inverter},,Derived,B100,`, `${inverter},inv-B101,Moved,B101,MovedSecret000000001`, `${dynamic},env-2,Env 2,,`];
    const imported = cli('--json', 'device', 'import', file('good.csv', rows.join('\r\n')));
    expect(imported.json()).toEqual({ ok: true, value: { dryRun: false, rows: 3, imported: 3, issues: [] } });
    expect(cli('device', 'secret', 'inv-B101', '--reveal').stdout.trim()).toBe('MovedSecret000000001');
    expect(json('device', 'show', 'inv-B100').value).toMatchObject({ state: 'planned', serial: 'B100', credentialSource: 'none' });

    const first = json('device', 'list', '--product', inverter, '--limit', '2');
    expect(first.value.items.map((d: { deviceKey: string }) => d.deviceKey)).toEqual(['inv-B100', 'inv-B101']);
    const second = json('device', 'list', '--product', inverter, '--limit', '2', '--after', first.value.next);
    expect(second.value.items.map((d: { deviceKey: string }) => d.deviceKey)).toEqual(['inv-SN0001']);
    expect(second.value.next).toBeNull();
    expect(json('device', 'list', '--query', 'moved').value.items.map((d: { deviceKey: string }) => d.deviceKey)).toEqual(['inv-B101']);
    // Names sort case-insensitively: "env-1" between "Derived" and "Moved".
    expect(json('device', 'list', '--sort', 'name', '--desc', '--limit', '4').value.items.map((d: { name: string }) => d.name)).toEqual(['Roof 1', 'Moved', 'env-1', 'Env 2']);
    failsWith(cli('device', 'list', '--after', 'garbage!'), 'INVALID_INPUT');
    const exported = cli('device', 'export', '--product', inverter);
    expect(exported.stdout.split('\n')[0]).toBe('productKey,deviceKey,name,serial,mac,firmware,timezone');
    expect(exported.stdout).not.toContain('MovedSecret');
  });

  it('builds an asset tree: add, move, rename, place, show, path, and refuses cycles and non-empty deletes', () => {
    expect(cli('asset', 'tree', 'create', 'Solar Park').status).toBe(0);
    failsWith(cli('asset', 'tree', 'create', 'Solar Park'), 'ALREADY_EXISTS');
    const id = (run: CliRun) => run.stdout.trim().split(/\s+/)[0]!;
    const site = id(cli('asset', 'node', 'add', '--tree', 'Solar Park', '--name', 'Site', '--type', 'site'));
    const row = id(cli('asset', 'node', 'add', '--tree', 'Solar Park', '--parent', site, '--name', 'Row 1'));
    const string = id(cli('asset', 'node', 'add', '--tree', 'Solar Park', '--parent', row, '--name', 'String A'));
    const spare = id(cli('asset', 'node', 'add', '--tree', 'Solar Park', '--name', 'Spares'));
    const cycle = cli('asset', 'node', 'move', site, '--parent', string);
    failsWith(cycle, 'ASSET_CYCLE');
    expect(cycle.stderr).toContain('Site/Row 1/String A');
    expect(cli('asset', 'place', '--device', 'inv-SN0001', '--node', string).status).toBe(0);
    failsWith(cli('asset', 'node', 'delete', row), 'NODE_NOT_EMPTY');
    expect(cli('asset', 'node', 'rename', row, '--name', 'Row North').status).toBe(0);
    expect(cli('asset', 'node', 'move', spare, '--parent', site).status).toBe(0);
    const shown = cli('asset', 'show', '--tree', 'Solar Park');
    expect(shown.stdout).toBe(
      ['Solar Park', `  Site [site]  (${site})`, `    Row North  (${row})`, `      String A  (${string})`, `        • ${inverter}/inv-SN0001`, `    Spares  (${spare})`, ''].join('\n'),
    );
    expect(json('asset', 'show', '--tree', 'Solar Park').value.placements).toEqual([{ treeId: expect.any(String), nodeId: string, productKey: inverter, deviceKey: 'inv-SN0001' }]);
    expect(cli('asset', 'path', '--tree', 'Solar Park', '--path', 'Site/Row North/String A').stdout.trim()).toBe(`${string}  Site/Row North/String A`);
    const treeFile = join(dir, 'tree.json');
    expect(cli('asset', 'export', '--tree', 'Solar Park', '--out', treeFile).stdout).toContain('wrote 4 node(s)');
    expect(cli('asset', 'import', treeFile, '--name', 'Solar Park B').status).toBe(0);
    expect(cli('asset', 'show', '--tree', 'Solar Park B').stdout).toMatch(/^Solar Park B\n {2}Site \[site\] {2}\(\w+\)\n {4}Row North/);
    expect(cli('asset', 'import', file('not-a-tree.json', '{"nodes":5}')).status).toBe(2);
    expect(cli('asset', 'tree', 'delete', 'Solar Park B', '--cascade').status).toBe(0);
    expect(cli('asset', 'place', '--device', 'inv-SN0001', '--node', spare).status).toBe(0);
    expect(dbRows("SELECT count(*) AS n FROM asset_placements")[0]!.n).toBe(1);
    expect(cli('asset', 'node', 'delete', site, '--cascade').stdout).toContain('deleted 4 node(s), 1 placement(s)');
    failsWith(cli('asset', 'node', 'move', 'nonexist', '--top'), 'NOT_FOUND');
  });

  it('writes one outbox row per change with dependencies and never a secret', () => {
    const rows = dbRows('SELECT entity, entity_id, operation, revision, idempotency_key, depends_on, payload FROM outbox ORDER BY seq');
    const kinds = new Set(rows.map((row) => row.entity));
    expect([...kinds].sort()).toEqual(['asset_node', 'asset_tree', 'device', 'placement', 'product']);
    const revisions = rows.map((row) => row.revision as number);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    const placement = rows.find((row) => row.entity === 'placement')!;
    expect(JSON.parse(placement.depends_on as string)).toEqual([expect.stringMatching(/^asset_node:/), `device:${inverter}/inv-SN0001`]);
    const allText = readFileSync(join(dir, 'commissioner.db')).toString('latin1');
    expect(allText).not.toContain('MovedSecret000000001');
  });

  it('deletes devices and then their product', () => {
    failsWith(cli('product', 'delete', dynamic), 'CONFLICT');
    for (const ref of [`${dynamic}/env-1`, `${dynamic}/env-2`]) expect(cli('device', 'delete', ref).status).toBe(0);
    failsWith(cli('device', 'show', `${dynamic}/env-1`), 'NOT_FOUND');
    expect(cli('product', 'delete', dynamic).status).toBe(0);
    failsWith(cli('product', 'secret', dynamic, '--reveal'), 'NOT_FOUND');
  });
});
