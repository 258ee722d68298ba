import { TimezoneSchema, type CsvIssue } from '../contract/devices';
import { err, ok, type Result } from '../result';
import { checkDeviceKey, checkProductKey, IMPORTED_SECRET_PATTERN } from './identifiers';

/**
 * The device import CSV (issue 4): a header line (line 1) naming the columns, then one device
 * per record. Columns: `deviceKey` (required; an empty cell derives the key from the product's
 * naming rule), `productKey` (required unless the import names a product), and optionally
 * `name`, `serial`, `mac`, `firmware`, `timezone`, `deviceSecret` (for devices moved from
 * another system). RFC 4180 quoting; UTF-8, with or without a byte-order mark.
 */
export const CSV_COLUMNS = ['productKey', 'deviceKey', 'name', 'serial', 'mac', 'firmware', 'timezone', 'deviceSecret'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

export interface CsvDeviceRow {
  /** Line of the file where the record starts (the header is line 1). */
  line: number;
  productKey: string;
  /** Empty: derive from the product's naming rule. */
  deviceKey: string;
  name?: string;
  serial?: string;
  mac?: string;
  firmware?: string;
  timezone?: string;
  deviceSecret?: string;
}

interface CsvRecord {
  line: number;
  fields: string[];
}

/** Decodes the file's bytes as UTF-8; a bad byte is reported with its line. */
export function decodeCsvBytes(bytes: Uint8Array): Result<string> {
  try {
    return ok(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    const text = new TextDecoder('utf-8').decode(bytes);
    const bad = text.indexOf('\uFFFD');
    const line = text.slice(0, Math.max(bad, 0)).split('\n').length;
    return err('CSV_INVALID', `line ${line}: the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8) and import again.`);
  }
}

/**
 * RFC 4180 records with the line each starts on; a quoted field may span lines. A line without
 * quotes or a bare CR is split as it is (the common case, 100k rows at a time); any other record
 * is read character by character.
 */
export function parseCsvRecords(text: string): { records: CsvRecord[]; issues: CsvIssue[] } {
  const records: CsvRecord[] = [];
  const issues: CsvIssue[] = [];
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let line = 1;
  let i = 0;
  while (i < source.length) {
    const newline = source.indexOf('\n', i);
    const end = newline < 0 ? source.length : newline;
    const plain = source.endsWith('\r', end) ? source.slice(i, end - 1) : source.slice(i, end);
    if (!plain.includes('"') && !plain.includes('\r')) {
      if (plain !== '') records.push({ line, fields: plain.split(',') });
      line++;
      i = end + 1;
      continue;
    }
    const record = readRecord(source, i, line);
    if (record.unclosed) issues.push({ line, message: 'a quoted field is not closed' });
    if (!(record.fields.length === 1 && record.fields[0] === '')) records.push({ line, fields: record.fields });
    if (!record.ended) break;
    ({ next: i, line } = record);
  }
  return { records, issues };
}

/** One record from `start`, character by character: quotes, doubled quotes, CR, LF or CRLF. */
function readRecord(source: string, start: number, firstLine: number): { fields: string[]; next: number; line: number; ended: boolean; unclosed: boolean } {
  const fields: string[] = [];
  let line = firstLine;
  let field = '';
  let quoted = false;
  let atFieldStart = true;
  let i = start;
  for (; i < source.length; i++) {
    const char = source[i]!;
    if (quoted) {
      if (char === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (char === '\n') line++;
        field += char;
      }
    } else if (char === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (char === ',') {
      fields.push(field);
      field = '';
      atFieldStart = true;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && source[i + 1] === '\n') i++;
      fields.push(field);
      return { fields, next: i + 1, line: line + 1, ended: true, unclosed: false };
    } else {
      field += char;
      atFieldStart = false;
    }
  }
  fields.push(field);
  return { fields, next: i, line, ended: false, unclosed: quoted };
}

const MAC = /^([0-9A-Fa-f]{2}[:-]?){5}[0-9A-Fa-f]{2}$/;

/**
 * Parses the whole file. Every problem is reported with its line (and column), not only the
 * first, so a dry run lists them all; the caller imports nothing unless `issues` is empty.
 */
export function parseDeviceCsv(text: string, defaultProductKey?: string): { rows: CsvDeviceRow[]; issues: CsvIssue[] } {
  const { records, issues } = parseCsvRecords(text);
  const header = records[0];
  if (!header) return { rows: [], issues: [...issues, { line: 1, message: 'the file is empty; line 1 must name the columns (at least deviceKey)' }] };
  const columns = header.fields.map((name) => name.trim());
  columns.forEach((name, index) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) issues.push({ line: 1, column: name, message: `unknown column "${name}" (column ${index + 1}); allowed: ${CSV_COLUMNS.join(', ')}` });
    else if (columns.indexOf(name) !== index) issues.push({ line: 1, column: name, message: `column "${name}" appears twice` });
  });
  if (!columns.includes('deviceKey')) issues.push({ line: 1, column: 'deviceKey', message: 'the deviceKey column is required' });
  if (!columns.includes('productKey') && !defaultProductKey) issues.push({ line: 1, column: 'productKey', message: 'no productKey column: add one or name the product (--product)' });
  if (issues.some((issue) => issue.line === 1)) return { rows: [], issues };

  const rows: CsvDeviceRow[] = [];
  const seen = new Map<string, number>();
  const indexOf = new Map(CSV_COLUMNS.map((name) => [name, columns.indexOf(name)]));
  let record = records[0]!;
  const cell = (name: CsvColumn) => {
    const index = indexOf.get(name)!;
    return index < 0 ? '' : record.fields[index]!.trim();
  };
  const problem = (column: CsvColumn, message: string) => issues.push({ line: record.line, column, message });
  for (let index = 1; index < records.length; index++) {
    record = records[index]!;
    if (record.fields.length !== columns.length) {
      issues.push({ line: record.line, message: `${record.fields.length} fields, but the header has ${columns.length}` });
      continue;
    }
    const row: CsvDeviceRow = { line: record.line, productKey: cell('productKey') || defaultProductKey || '', deviceKey: cell('deviceKey') };
    const before = issues.length;
    if (!row.productKey) problem('productKey', 'productKey is empty');
    else if (!checkProductKey(row.productKey).ok) problem('productKey', `"${row.productKey.slice(0, 40)}" is not a productKey`);
    if (row.deviceKey && !checkDeviceKey(row.deviceKey).ok) problem('deviceKey', `"${row.deviceKey.slice(0, 70)}" is not a valid deviceKey (1–64 of A-Z a-z 0-9 _ -)`);
    for (const name of ['name', 'serial', 'firmware'] as const) {
      const value = cell(name);
      if (value.length > (name === 'name' ? 200 : 100)) problem(name, `${name} is too long`);
      else if (value) row[name] = value;
    }
    const mac = cell('mac');
    if (mac && !MAC.test(mac)) problem('mac', `"${mac.slice(0, 40)}" is not a MAC address (six hex pairs)`);
    else if (mac) row.mac = mac;
    const timezone = cell('timezone');
    if (timezone && !TimezoneSchema.safeParse(timezone).success) problem('timezone', `"${timezone.slice(0, 40)}" is not a UTC offset (+08:00) or an IANA name`);
    else if (timezone) row.timezone = timezone;
    const secret = cell('deviceSecret');
    if (secret && !IMPORTED_SECRET_PATTERN.test(secret)) problem('deviceSecret', 'deviceSecret must be 1–64 printable ASCII characters without spaces');
    else if (secret) row.deviceSecret = secret;
    if (row.deviceKey) {
      const key = `${row.productKey}/${row.deviceKey}`;
      const first = seen.get(key);
      if (first !== undefined) problem('deviceKey', `duplicate device ${key}, first on line ${first}`);
      else seen.set(key, record.line);
    }
    if (issues.length === before) rows.push(row);
  }
  return { rows, issues };
}

/** The file line of each problem, in a form a person can act on. */
export function formatCsvIssue(issue: CsvIssue): string {
  return `line ${issue.line}${issue.column ? ` (${issue.column})` : ''}: ${issue.message}`;
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes rows in the import format (never with secrets). */
export function formatDeviceCsv(rows: readonly Omit<CsvDeviceRow, 'line' | 'deviceSecret'>[]): string {
  const columns = CSV_COLUMNS.filter((column) => column !== 'deviceSecret');
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((column) => quote(row[column] ?? '')).join(','));
  return `${lines.join('\n')}\n`;
}
