import { describe, expect, it } from 'vitest';
import {
  buildMqttCredentials,
  buildReply,
  buildSubDeviceLogin,
  coapAuthSign,
  coapAuthSignContent,
  digestHex,
  hmacHex,
  httpAuthSign,
  httpAuthSignContent,
  loginParams,
  methodFor,
  methodMatches,
  parseClientId,
  parseReply,
  parseRequest,
  parseSignMethod,
  parseUsername,
  readSubDeviceCredentials,
  replyTopicFor,
  routeTopic,
  signContent,
  signLogin,
  topicFor,
  verifyLoginPassword,
  verifySubDeviceSign,
} from '../../electron/protocol';

// Protocol reference §12 demo values.
const PK = 'pKdemo01';
const DK = 'dev-001';
const DEVICE_SECRET = 'DsDemoSecret0001';
const PRODUCT_SECRET = 'PsDemoSecret0001';
const TS = '1700000000000';

/** Parses the ClientId/Username and verifies the password, as the hub does on CONNECT. */
function hubAccepts(clientId: string, username: string, password: string, secret: string): boolean {
  const cid = parseClientId(clientId);
  const user = parseUsername(username);
  if (!cid || !user) throw new Error('malformed login');
  return verifyLoginPassword(cid, user, password, secret);
}

describe('login test vectors (§12)', () => {
  it('L1 doc example: content and sha256', () => {
    const content = signContent(loginParams('123456', 'test', '654321', '1548753362502'), 'abcdefg');
    expect(content).toBe('clientId123456deviceKeytestproductKey654321timestamp1548753362502abcdefg');
    const password = signLogin({ cid: '123456', deviceKey: 'test', productKey: '654321', secret: 'abcdefg', secureMode: 2, timestamp: '1548753362502' });
    expect(password).toBe('B99032D49C706F7B27B22AB5CD2DD3C56A31E1BCBBC83BA0A2A6BB3272FBB166');
    expect(hubAccepts('123456|securemode=2,signmethod=sha256,timestamp=1548753362502|', 'test&654321', password, 'abcdefg')).toBe(true);
  });

  it('L2 mode 2 on the wire, as our clients send it', () => {
    const credentials = buildMqttCredentials({ productKey: PK, deviceKey: DK, secret: DEVICE_SECRET, secureMode: 2, timestamp: TS });
    expect(credentials).toEqual({
      clientId: 'dev-001|securemode=2,signmethod=sha256,timestamp=1700000000000|',
      username: 'dev-001&pKdemo01',
      password: '334C3C1E48B361D99B0D3DF10B453B52FA110081F9A4A3F5AE3B8DFC7863FAF2',
    });
    expect(hubAccepts(credentials.clientId, credentials.username, credentials.password, DEVICE_SECRET)).toBe(true);
    expect(hubAccepts(credentials.clientId, credentials.username, credentials.password.toLowerCase(), DEVICE_SECRET)).toBe(true);
    expect(hubAccepts(credentials.clientId, credentials.username, credentials.password, PRODUCT_SECRET)).toBe(false);
  });

  it('L3 mode 3 with the productSecret', () => {
    const credentials = buildMqttCredentials({ productKey: PK, deviceKey: DK, secret: PRODUCT_SECRET, secureMode: 3, timestamp: TS });
    expect(credentials.clientId).toBe('dev-001|securemode=3,signmethod=sha256,timestamp=1700000000000|');
    expect(credentials.password).toBe('77DBA37BD1A60E92D17A2C069A242568995B97396DF2DAAD9AC20625D0D37CE6');
    expect(parseClientId(credentials.clientId)?.secureMode).toBe(3);
    expect(hubAccepts(credentials.clientId, credentials.username, credentials.password, PRODUCT_SECRET)).toBe(true);
  });

  it('L4 Python hmacsha256 is the plain digest, lower-case, float timestamp', () => {
    const password = 'a89acfb3b1a6819e6791f4bd0fb00492bda94089f335963f127d59cbc94cf109';
    expect(digestHex('sha256', signContent(loginParams(DK, DK, PK, '1700000000000.123'), DEVICE_SECRET))).toBe(password);
    expect(hubAccepts('dev-001|securemode=2,signmethod=hmacsha256,timestamp=1700000000000.123|', 'dev-001&pKdemo01', password, DEVICE_SECRET)).toBe(true);
  });

  it('L5 Java sha1 upper-case', () => {
    expect(signLogin({ productKey: PK, deviceKey: DK, secret: DEVICE_SECRET, secureMode: 2, timestamp: TS, signMethod: 'sha1' })).toBe('BF1B56E660E21FF3A47A9E797667860D6E5F9BDD');
    expect(hubAccepts('dev-001|securemode=2,signmethod=sha1,timestamp=1700000000000|', 'dev-001&pKdemo01', 'BF1B56E660E21FF3A47A9E797667860D6E5F9BDD', DEVICE_SECRET)).toBe(true);
    // §3.3: an empty signmethod falls back to sha1.
    expect(hubAccepts('dev-001|securemode=2,signmethod=,timestamp=1700000000000|', 'dev-001&pKdemo01', 'BF1B56E660E21FF3A47A9E797667860D6E5F9BDD', DEVICE_SECRET)).toBe(true);
  });

  it('L6 keyed HMAC-SHA1 is accepted only under an hmac* name (§13 #2)', () => {
    const content = signContent(loginParams(DK, DK, PK, TS), DEVICE_SECRET);
    expect(hmacHex('sha1', DEVICE_SECRET, content).toUpperCase()).toBe('70801EA2738C0228B5E73FAE4687D505915E9934');
    const password = '70801EA2738C0228B5E73FAE4687D505915E9934';
    expect(hubAccepts('dev-001|securemode=2,signmethod=hmacsha1,timestamp=1700000000000|', 'dev-001&pKdemo01', password, DEVICE_SECRET)).toBe(true);
    expect(hubAccepts('dev-001|securemode=2,signmethod=HmacSHA1,timestamp=1700000000000|', 'dev-001&pKdemo01', password, DEVICE_SECRET)).toBe(true);
    expect(hubAccepts('dev-001|securemode=2,signmethod=sha1,timestamp=1700000000000|', 'dev-001&pKdemo01', password, DEVICE_SECRET)).toBe(false);
  });

  it('L7 C SDK: cid pk.dk, fixed 2050 timestamp', () => {
    const password = signLogin({ cid: 'pKdemo01.dev-001', productKey: PK, deviceKey: DK, secret: DEVICE_SECRET, secureMode: 2, timestamp: '2524608000000' });
    expect(password).toBe('5331C4F84F700DF5CDE0BEFFB42F8B429AF62C81FC2364467A9DBE163AF27467');
    expect(hubAccepts('pKdemo01.dev-001|securemode=2,signmethod=sha256,timestamp=2524608000000|', 'dev-001&pKdemo01', password, DEVICE_SECRET)).toBe(true);
  });

  it('L8 Java cid with extras, lower-case, braces and commas signed', () => {
    const cid = 'dev-001{ip=192.168.1.10,version=enos-mqtt-2.2.16,compress=DEFAULT}';
    const password = 'ac2e1ac49696b6e7dcb97bbb7a4011c7f660caba012d86d1d34fbf2940ce39a4';
    expect(signLogin({ cid, productKey: PK, deviceKey: DK, secret: DEVICE_SECRET, secureMode: 2, timestamp: TS }).toLowerCase()).toBe(password);
    const parsed = parseClientId(`${cid}|securemode=2,signmethod=sha256,timestamp=1700000000000|`);
    expect(parsed?.cid).toBe(cid);
    expect(hubAccepts(`${cid}|securemode=2,signmethod=sha256,timestamp=1700000000000|`, 'dev-001&pKdemo01', password, DEVICE_SECRET)).toBe(true);
  });

  it('md5 and one wrong character are told apart', () => {
    const password = signLogin({ productKey: PK, deviceKey: DK, secret: DEVICE_SECRET, secureMode: 2, timestamp: TS, signMethod: 'md5' });
    expect(password).toHaveLength(32);
    const clientId = 'dev-001|securemode=2,signmethod=md5,timestamp=1700000000000|';
    expect(hubAccepts(clientId, 'dev-001&pKdemo01', password, DEVICE_SECRET)).toBe(true);
    const flipped = (password[0] === 'A' ? 'B' : 'A') + password.slice(1);
    expect(hubAccepts(clientId, 'dev-001&pKdemo01', flipped, DEVICE_SECRET)).toBe(false);
    expect(hubAccepts(clientId, 'dev-001&pKdemo01', password.slice(1), DEVICE_SECRET)).toBe(false);
  });
});

describe('ClientId and Username parsing (§3.1)', () => {
  it('tolerates a missing trailing bar, unknown keys and upper-case keys', () => {
    expect(parseClientId('abc|SecureMode=2,foo=bar,signmethod=sha256,timestamp=1')).toMatchObject({ cid: 'abc', secureMode: 2, timestamp: '1' });
  });

  it.each([
    ['no bar', 'dev-001'],
    ['empty cid', '|securemode=2,signmethod=sha256,timestamp=1|'],
    ['no mode', 'd|signmethod=sha256,timestamp=1|'],
    ['mode 1', 'd|securemode=1,signmethod=sha256,timestamp=1|'],
    ['no timestamp', 'd|securemode=2,signmethod=sha256|'],
    ['unknown sign method', 'd|securemode=2,signmethod=sha512,timestamp=1|'],
    ['over 256 bytes', `${'x'.repeat(250)}|securemode=2,signmethod=sha256,timestamp=1|`],
  ])('refuses %s', (_name, clientId) => {
    expect(parseClientId(clientId)).toBeNull();
  });

  it('splits the Username at its &', () => {
    expect(parseUsername('dev-001&pKdemo01')).toEqual({ deviceKey: 'dev-001', productKey: 'pKdemo01' });
    expect(parseUsername('dev-001')).toBeNull();
    expect(parseUsername('&pk')).toBeNull();
    expect(parseUsername('dk&')).toBeNull();
  });

  it('normalises sign method names (§3.3)', () => {
    expect(parseSignMethod(' HMACSHA256 ')).toEqual({ algorithm: 'sha256', hmacAlias: true });
    expect(parseSignMethod('hmac')).toEqual({ algorithm: 'sha1', hmacAlias: true });
    expect(parseSignMethod(undefined)).toEqual({ algorithm: 'sha1', hmacAlias: false });
    expect(parseSignMethod('sha384')).toBeNull();
  });
});

describe('sub-device sign (§6.4, §13 #7–8)', () => {
  const entry = {
    productKey: 'pKsub001',
    deviceKey: 'sub-007',
    clientId: 'pKsub001.sub-007.1700000000123',
    timestamp: '1700000000123',
    signMethod: 'sha256',
    sign: 'E0CAAE40B68B72BDB8C4455321531CA20435243A01B61268760AF3E736C8C5FF',
    secureMode: '2',
    cleanSession: 'true',
  };

  it('S1 verifies and is what buildSubDeviceLogin sends', () => {
    expect(buildSubDeviceLogin({ productKey: 'pKsub001', deviceKey: 'sub-007', secret: 'SubDevSecret0007', timestamp: '1700000000123' })).toEqual(entry);
    const credentials = readSubDeviceCredentials(entry)!;
    expect(verifySubDeviceSign(credentials, 'SubDevSecret0007')).toBe(true);
    expect(verifySubDeviceSign(credentials, 'OtherSecret')).toBe(false);
  });

  it('accepts a numeric timestamp, a numeric secureMode and the lower-case signmethod key', () => {
    const { signMethod: _signMethod, ...rest } = entry;
    const credentials = readSubDeviceCredentials({ ...rest, signmethod: 'hmacSha256', timestamp: 1700000000123, secureMode: 2 })!;
    expect(credentials.secureMode).toBe(2);
    expect(verifySubDeviceSign(credentials, 'SubDevSecret0007')).toBe(true);
  });

  it('retries with cleanSession signed when the device signed it (Python "True")', () => {
    const withClean = signContent({ ...loginParams(entry.clientId, entry.deviceKey, entry.productKey, entry.timestamp), cleanSession: 'true' }, 'SubDevSecret0007');
    const signed = digestHex('sha256', withClean);
    expect(verifySubDeviceSign(readSubDeviceCredentials({ ...entry, sign: signed, cleanSession: 'True' })!, 'SubDevSecret0007')).toBe(true);
    expect(verifySubDeviceSign(readSubDeviceCredentials({ ...entry, sign: signed, cleanSession: undefined })!, 'SubDevSecret0007')).toBe(false);
  });

  it('takes batch-level clientId, timestamp and signMethod', () => {
    const batch = { clientId: entry.clientId, timestamp: entry.timestamp, signMethod: 'sha256' };
    const credentials = readSubDeviceCredentials({ productKey: 'pKsub001', deviceKey: 'sub-007', secureMode: 2, sign: entry.sign }, batch)!;
    expect(verifySubDeviceSign(credentials, 'SubDevSecret0007')).toBe(true);
  });

  it('refuses entries without a sign or with mode 4', () => {
    expect(readSubDeviceCredentials({ ...entry, sign: undefined })).toBeNull();
    expect(readSubDeviceCredentials({ ...entry, secureMode: '4' })).toBeNull();
    expect(readSubDeviceCredentials('x')).toBeNull();
  });
});

describe('HTTP and CoAP auth (§7, §8)', () => {
  it('H1 HTTP /auth sign', () => {
    const input = { productKey: PK, deviceKey: DK, lifetime: 300000, signMethod: 'sha256' as const, deviceSecret: DEVICE_SECRET };
    expect(httpAuthSignContent(input)).toBe('deviceKeydev-001lifetime300000productKeypKdemo01signMethodsha256DsDemoSecret0001');
    expect(httpAuthSign(input).toLowerCase()).toBe('a6f3c32ef250bddeb3abca3d02d2a14ff778d06992a6b34a3ac3a5f29bad67cc');
  });

  it('C1 CoAP non-DTLS /auth sign, upper-case', () => {
    const input = { productKey: PK, deviceKey: DK, lifetime: 3600, secureMode: 2 as const, secret: DEVICE_SECRET };
    expect(coapAuthSignContent(input)).toBe('deviceKeydev-001lifetime3600productKeypKdemo01secureMode2DsDemoSecret0001');
    expect(coapAuthSign(input)).toBe('32DD8C9AE9307C68619366FCD054370649156FD5C6A2709B8457E1A388E1F344');
  });
});

describe('topics (§6)', () => {
  it('builds and routes every upstream and downstream topic', () => {
    expect(topicFor('measurepoint.post', PK, DK)).toBe('/sys/pKdemo01/dev-001/thing/measurepoint/post');
    expect(topicFor('combine.login.batch', 'gP', 'gD')).toBe('/ext/session/gP/gD/combine/login/batch');
    expect(topicFor('event.post', PK, DK, 'alarm')).toBe('/sys/pKdemo01/dev-001/thing/event/alarm/post');
    expect(replyTopicFor('service.invoke', PK, DK, 'reboot')).toBe('/sys/pKdemo01/dev-001/thing/service/reboot_reply');
    expect(replyTopicFor('activate.info', PK, DK)).toBe('/ext/session/pKdemo01/dev-001/thing/activate/info_reply');
    expect(routeTopic('/sys/pKdemo01/dev-001/thing/measurepoint/post/batch')).toEqual({ kind: 'measurepoint.post.batch', productKey: PK, deviceKey: DK, param: '', reply: false });
    expect(routeTopic('/sys/pKdemo01/dev-001/thing/event/alarm/post')).toMatchObject({ kind: 'event.post', param: 'alarm' });
    expect(routeTopic('/ext/session/gP/gD/combine/logout')).toMatchObject({ kind: 'combine.logout', productKey: 'gP', deviceKey: 'gD' });
    expect(routeTopic('/sys/p/d/network/status/report')).toMatchObject({ kind: 'network.status' });
  });

  it('routes measurepoint set/get before the generic service route', () => {
    expect(routeTopic('/sys/p/d/thing/service/measurepoint/set_reply')).toMatchObject({ kind: 'measurepoint.set', reply: true });
    expect(routeTopic('/sys/p/d/thing/service/measurepoint/get_reply')).toMatchObject({ kind: 'measurepoint.get', reply: true });
    expect(routeTopic('/sys/p/d/thing/service/reboot_reply')).toMatchObject({ kind: 'service.invoke', param: 'reboot', reply: true });
  });

  it.each(['/sys/p/+/thing/measurepoint/post', '/sys/p/d/thing/#', '/sys/p/d/thing/unknown', '/sys//d/thing/measurepoint/post', '/other/p/d/x', '/sys/p/d', '/sys/p/d/thing/event//post'])(
    'refuses %s',
    (topic) => expect(routeTopic(topic)).toBeNull(),
  );

  it('checks methods against the topic, accepting both names of a pair (§13 #16)', () => {
    expect(methodMatches('ota.progress', 'ota.device.process')).toBe(true);
    expect(methodMatches('tsltemplate.get', 'thing.dsltemplate.get')).toBe(true);
    expect(methodMatches('event.post', 'thing.event.alarm.post', 'alarm')).toBe(true);
    expect(methodMatches('event.post', 'thing.event.other.post', 'alarm')).toBe(false);
    expect(methodFor('service.invoke', 'reboot')).toBe('thing.service.reboot');
  });
});

describe('envelopes (§5.1)', () => {
  it('echoes the id with its JSON type', () => {
    const parsed = parseRequest(Buffer.from('{"id":"7","version":"1.1","method":"thing.measurepoint.post","params":{}}'));
    expect(parsed).toMatchObject({ ok: true, id: '7', version: '1.1' });
    expect(JSON.parse(buildReply({ id: '7', code: 200 }))).toEqual({ id: '7', code: 200, message: '', data: {} });
    expect(JSON.parse(buildReply({ id: 7, code: 1204, message: 'bad' })).id).toBe(7);
  });

  it.each([
    ['', 1251],
    ['not json', 1220],
    ['[1]', 1220],
    ['{"id":"1"}', 1200],
  ])('refuses %j with %i', (payload, code) => {
    expect(parseRequest(Buffer.from(payload))).toMatchObject({ ok: false, code });
  });

  it('reads a device reply whose code is a numeric string (§13 #23)', () => {
    expect(parseReply('{"id":"3","code":"1101","message":"no handler"}')).toEqual({ id: '3', code: 1101, message: 'no handler' });
    expect(parseReply('{"id":"3","code":200,"data":null}')).toEqual({ id: '3', code: 200, data: null });
    expect(parseReply('{"id":"3","code":"abc"}')).toBeNull();
    expect(parseReply('nope')).toBeNull();
  });
});
