import { describe, expect, it } from 'vitest';
import { decodeCsvBytes, formatDeviceCsv, parseCsvRecords, parseDeviceCsv } from '../../shared/model/device-csv';

describe('device CSV', () => {
  it('parses quoted fields, CRLF, a BOM and multi-line cells with their starting line', () => {
    const { records, issues } = parseCsvRecords('\uFEFFa,b\r\n"x, ""y""",2\r\n"multi\nline",3\n\n4,5');
    expect(issues).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, "y"', '2'] },
      { line: 3, fields: ['multi\nline', '3'] },
      { line: 6, fields: ['4', '5'] },
    ]);
  });

  it('reads plain lines and quoted records alike, with CR, LF or CRLF line ends and an unclosed quote at the end', () => {
    const { records, issues } = parseCsvRecords('a,b\rc,d\r\ne,"f\r\ng"\nh, i \n"j\n');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
      { line: 3, fields: ['e', 'f\r\ng'] },
      { line: 5, fields: ['h', ' i '] },
      { line: 6, fields: ['j\n'] },
    ]);
    expect(issues).toEqual([{ line: 6, message: 'a quoted field is not closed' }]);
  });

  it('reads rows with the default product and optional columns', () => {
    const { rows, issues } = parseDeviceCsv('deviceKey,name,serial,mac\ndev-1,Pump,SN1,aa:bb:cc:dd:ee:ff\n,Derived,SN2,\n', 'pKdemo01');
    expect(issues).toEqual([]);
    expect(rows).toEqual([
      { line: 2, productKey: 'pKdemo01', deviceKey: 'dev-1', name: 'Pump', serial: 'SN1', mac: 'aa:bb:cc:dd:ee:ff' },
      { line: 3, productKey: 'pKdemo01', deviceKey: '', name: 'Derived', serial: 'SN2' },
    ]);
  });

  it('reports every bad row with its line number and column', () => {
    const csv = ['productKey,deviceKey,mac,deviceSecret', 'pk1,ok-1,,', 'pk1,bad key,,', 'pk1,ok-2,zz,', 'pk1,ok-1,,', 'pk1,ok-3', ',ok-4,,', 'pk1,ok-5,,has space'].join('\n');
    const { rows, issues } = parseDeviceCsv(csv);
    expect(rows.map((row) => row.deviceKey)).toEqual(['ok-1']);
    expect(issues.map((issue) => [issue.line, issue.column])).toEqual([
      [3, 'deviceKey'],
      [4, 'mac'],
      [5, 'deviceKey'],
      [6, undefined],
      [7, 'productKey'],
      [8, 'deviceSecret'],
    ]);
    expect(issues[2]!.message).toContain('first on line 2');
  });

  it('refuses wrong headers on line 1', () => {
    expect(parseDeviceCsv('name,serial\nx,y\n', 'pk').issues).toEqual([{ line: 1, column: 'deviceKey', message: 'the deviceKey column is required' }]);
    expect(parseDeviceCsv('deviceKey,colour\nx,y\n', 'pk').issues[0]).toMatchObject({ line: 1, column: 'colour' });
    expect(parseDeviceCsv('deviceKey\nx\n').issues[0]).toMatchObject({ line: 1, column: 'productKey' });
    expect(parseDeviceCsv('').issues[0]).toMatchObject({ line: 1 });
  });

  it('refuses bytes that are not UTF-8 and names the line', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('deviceKey\nok\n'), 0x64, 0xff, 0x0a]);
    expect(decodeCsvBytes(bytes)).toMatchObject({ ok: false, error: { code: 'CSV_INVALID', message: expect.stringContaining('line 3') } });
    expect(decodeCsvBytes(new TextEncoder().encode('deviceKey\nä\n'))).toEqual({ ok: true, value: 'deviceKey\nä\n' });
  });

  it('writes what it reads', () => {
    const csv = formatDeviceCsv([{ productKey: 'pk', deviceKey: 'd1', name: 'A, "quoted"', serial: 'S' }]);
    expect(parseDeviceCsv(csv).rows).toEqual([{ line: 2, productKey: 'pk', deviceKey: 'd1', name: 'A, "quoted"', serial: 'S' }]);
  });
});
