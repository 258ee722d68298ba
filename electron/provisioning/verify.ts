import type { Check } from '../../shared/contract/provisioning';
import type { DeviceProtocol, Product } from '../../shared/contract/products';
import { validateMeasurepoints } from '../../shared/model/thing-model';
import type { Result } from '../../shared/result';
import type { CommandAnswer } from '../hub/commands';
import type { DeviceRef } from '../hub/directory';
import type { Hub } from '../hub/hub';
import { COAP_WITHOUT_DTLS_NOTE, type SessionView } from '../hub/session';
import type { Counters } from '../hub/stats';
import { violationText } from '../registry/registry';
import type { ConnectivityReport, DeviceDriver, Endpoint } from '../serial/drivers/driver';

/** What verification needs to know about the device and the station hub. */
export interface VerifyTarget {
  device: DeviceRef;
  product: Product;
  protocols: readonly DeviceProtocol[];
  /** The station hub's endpoint per protocol, or null when that listener is not running. */
  endpoint(protocol: DeviceProtocol): Endpoint | null;
  timeoutMs: number;
  samples: number;
  /** The certificate serial the device should present (certificate products). */
  certificateSerial: string | null;
  /** A service the product marks safe for verification; otherwise measurepoint get is used. */
  safeService: string | null;
}

/** Why the hub refused a login, in words a technician can act on (protocol reference §3.6). */
const REFUSAL_ADVICE: Record<string, string> = {
  'bad-signature': 'signature mismatch: the secret on the device is not the one in the registry; re-provision the device to write it again',
  'no-secret': 'the registry holds no secret for this login mode; re-run the credential step',
  'activation-disabled': 'the device is using secure mode 3 (activation) but the product has dynamic activation off; write a deviceSecret instead of the productSecret',
  're-activation': 'the device tried to activate again but already holds an activated secret at this hub; re-verify resets the station activation first',
  'certificate-required': 'the product requires a client certificate chaining to the station CA with CN = deviceKey; the device presented none or a wrong one',
  'unknown-device': 'the hub does not know this deviceKey; the plan step did not reserve it, or it was deleted',
  'unknown-product': 'the hub does not know this productKey; check the product on the device',
  disabled: 'the device is disabled in the registry; enable it first',
  decommissioned: 'the device is decommissioned; plan a new device instead',
  'connect-guard': 'the hub is throttling this device after repeated logins; wait a few seconds and retry',
  'malformed-client-id': 'the device sent a malformed MQTT client id (protocol reference §3.3); update its firmware',
  'malformed-username': 'the device sent a malformed MQTT username (protocol reference §3.3); update its firmware',
};

const round = (ms: number) => Math.round(ms * 10) / 10;

function snapshot(counters: Counters): Counters {
  return { ...counters, errors: { ...counters.errors }, refusals: { ...counters.refusals } };
}

function increase(after: Record<string, number>, before: Record<string, number>): string[] {
  return Object.keys(after).filter((key) => (after[key] ?? 0) > (before[key] ?? 0));
}

/**
 * Verification over MQTT (architecture §6 step 4): the device runs its connectivity test against
 * the station hub while the hub watches — the login (and activation), telemetry accepted under the
 * thing model, one side-effect-free downstream request answered, and for certificate devices the
 * mTLS chain. The device's own report and the hub's view are combined into one check each.
 */
async function verifyMqtt(hub: Hub, driver: DeviceDriver, target: VerifyTarget, endpoint: Endpoint): Promise<Check[]> {
  const { device, product } = target;
  const matches = (view: { productKey: string; deviceKey: string }) => view.productKey === device.productKey && view.deviceKey === device.deviceKey;
  const counters = hub.stats.entry(device.productKey, device.deviceKey).device;
  const before = snapshot(counters);
  const sessions: SessionView[] = [];
  let accepted = 0;
  let downstream: Promise<{ answer: Result<CommandAnswer>; ms: number }> | null = null;
  let poll: NodeJS.Timeout | null = null;

  const sendDownstream = () => {
    const started = performance.now();
    const budget = Math.max(100, Math.floor(target.timeoutMs / 2));
    const answer = target.safeService
      ? hub.invokeService({ device, serviceId: target.safeService, params: {}, timeoutMs: budget })
      : hub.getMeasurepoints({ device, ids: [], timeoutMs: budget });
    return answer.then((result) => ({ answer: result, ms: performance.now() - started }));
  };
  // The device's first publish after its mode-2 login (its firmware report) shows it is listening;
  // a command sent before that could arrive while its client is still being set up. The request goes
  // out the moment that publish is accepted (the tap); a publish the hub refused (telemetry off the
  // model) is only counted, so a short poll of the counter covers that case.
  let listening = false;
  const sendOnce = () => {
    if (downstream) return;
    if (poll) clearInterval(poll);
    downstream = sendDownstream();
  };
  const offEvent = hub.onEvent((event) => {
    if (event.type !== 'session' || !event.online || !matches(event.session)) return;
    sessions.push(event.session);
    if (event.session.secureMode !== 2 || listening) return;
    listening = true;
    const baseline = counters.messagesIn;
    poll = setInterval(() => counters.messagesIn !== baseline && sendOnce(), 10);
  });
  const offTap = hub.tap((message) => {
    if (!matches(message)) return;
    if (message.kind === 'measurepoints') accepted++;
    if (listening) sendOnce();
  });
  let report: Result<ConnectivityReport[]>;
  try {
    report = await driver.connectivityTest([endpoint], target.samples, target.timeoutMs);
  } finally {
    offEvent();
    offTap();
    if (poll) clearInterval(poll);
  }
  const reply = downstream ? await (downstream as Promise<{ answer: Result<CommandAnswer>; ms: number }>) : null;
  // One endpoint per test, so the one report entry is this endpoint's.
  const deviceReport = report.ok ? report.value[0] : undefined;
  const refusals = increase(counters.refusals, before.refusals);
  const errors = increase(counters.errors, before.errors);
  const login = sessions.find((session) => session.secureMode === 2);
  const checks: Check[] = [];

  // login
  if (login) {
    checks.push({ protocol: 'mqtt', check: 'login', result: 'passed', latencyMs: deviceReport ? round(deviceReport.latencyMs) : null, explanation: `logged in (secure mode 2) on ${login.listener}` });
  } else {
    const why = refusals.map((reason) => REFUSAL_ADVICE[reason] ?? `refused: ${reason}`);
    const detail = !report.ok ? `the device could not run its connectivity test: ${report.error.message}` : why.length > 0 ? why.join('; ') : `the device never reached the hub at ${endpoint.host}:${endpoint.port}${deviceReport?.detail ? ` (${deviceReport.detail})` : ''}; check the endpoint, the network and the device clock`;
    checks.push({ protocol: 'mqtt', check: 'login', result: 'failed', latencyMs: null, explanation: detail });
  }

  // activation (product-secret devices: mode 3 at the station hub, verification only)
  if (product.authScheme === 'product-secret') {
    const activated = sessions.some((session) => session.secureMode === 3);
    checks.push({
      protocol: 'mqtt',
      check: 'activation',
      result: activated && login ? 'passed' : 'failed',
      latencyMs: null,
      explanation: activated && login ? 'activated with the productSecret (secure mode 3) and logged in with the issued deviceSecret' : activated ? 'the activation login was accepted but the device did not log in with the issued deviceSecret; check that it stores the secret from thing.activate.info' : refusals.length > 0 ? (refusals.map((reason) => REFUSAL_ADVICE[reason] ?? reason).join('; ')) : 'the device did not activate (no secure-mode-3 login seen)',
    });
  }

  // telemetry against the thing model
  const posted = deviceReport?.samplesPosted ?? 0;
  if (!login) {
    checks.push({ protocol: 'mqtt', check: 'telemetry', result: 'failed', latencyMs: null, explanation: 'not checked: the device did not log in' });
  } else if (!product.thingModel) {
    checks.push({ protocol: 'mqtt', check: 'telemetry', result: 'not-applicable', latencyMs: null, explanation: `the product has no thing model: any telemetry is accepted (${accepted} sample(s) received); the model check did not apply` });
  } else if (accepted > 0 && errors.length === 0) {
    checks.push({ protocol: 'mqtt', check: 'telemetry', result: 'passed', latencyMs: null, explanation: `${accepted} sample(s) accepted under the thing model` });
  } else {
    checks.push({ protocol: 'mqtt', check: 'telemetry', result: 'failed', latencyMs: null, explanation: telemetryAdvice(product, errors, posted, reply?.answer) });
  }

  // downstream (side-effect free)
  const what = target.safeService ? `service ${target.safeService} (marked safe for verification)` : 'measurepoint get';
  if (reply?.answer.ok && reply.answer.value.status === 'replied' && reply.answer.value.code === 200) {
    checks.push({ protocol: 'mqtt', check: 'downstream', result: 'passed', latencyMs: round(reply.ms), explanation: `${what} answered with code 200` });
  } else {
    const detail = !login ? 'not checked: the device did not log in' : !reply ? 'the device sent nothing after logging in, so no request was sent' : !reply.answer.ok ? `${what}: ${reply.answer.error.message}` : `${what} answered with code ${(reply.answer.value as { code?: number }).code ?? '?'}; check the device's handler`;
    checks.push({ protocol: 'mqtt', check: 'downstream', result: 'failed', latencyMs: reply ? round(reply.ms) : null, explanation: detail });
  }

  // mTLS chain
  if (product.authScheme === 'certificate') {
    const presented = login?.tls?.clientCertificate ?? null;
    const good = presented && presented.commonName === device.deviceKey && (!target.certificateSerial || presented.serial === target.certificateSerial.toUpperCase());
    checks.push({
      protocol: 'mqtt',
      check: 'mtls',
      result: good ? 'passed' : 'failed',
      latencyMs: null,
      explanation: good
        ? `client certificate ${presented!.serial} (CN=${presented!.commonName}) chains to the station CA`
        : presented
          ? `the device presented certificate ${presented.serial} with CN=${presented.commonName}, not the one issued (${target.certificateSerial ?? '?'}); write the certificate chain again`
          : 'no client certificate reached the hub; check that the device uses the mqtts endpoint with its certificate and key',
    });
  }
  return checks;
}

function telemetryAdvice(product: Product, errors: string[], posted: number, reply: Result<CommandAnswer> | undefined): string {
  // The measurepoint get reply carries what the device reports; checking it gives the exact paths.
  if (reply?.ok && reply.value.status === 'replied' && product.thingModel) {
    const violations = validateMeasurepoints(product.thingModel, { measurepoints: reply.value.data });
    if (violations.length > 0) return `the device's telemetry does not match the thing model of ${product.productKey}: ${violationText(violations, 5)}; flash the firmware that matches this product or fix the model`;
  }
  if (errors.length > 0) return `the hub refused the telemetry with code ${errors.join(', ')} (1203: does not match the thing model of ${product.productKey}); flash the firmware that matches this product or fix the model`;
  return `no telemetry arrived (${posted} sample(s) acknowledged); check that the device posts measurepoints after logging in`;
}

/**
 * HTTP and CoAP (protocol reference §7, §8): the device logs in with its (activated) deviceSecret
 * and posts telemetry; the hub counts what it accepted. Downstream requests reach such a device
 * only when it polls, so the side-effect-free request is checked over MQTT.
 */
async function verifyPolled(hub: Hub, driver: DeviceDriver, target: VerifyTarget, endpoint: Endpoint): Promise<Check[]> {
  const checks = await pollChecks(hub, driver, target, endpoint);
  // Issue 9: a device checked over plain CoAP (the hub has no DTLS-PSK server) is reported so, check by check.
  if (endpoint.protocol !== 'coap' || endpoint.tls) return checks;
  return checks.map((check) => ({ ...check, explanation: `${check.explanation} (${COAP_WITHOUT_DTLS_NOTE})` }));
}

async function pollChecks(hub: Hub, driver: DeviceDriver, target: VerifyTarget, endpoint: Endpoint): Promise<Check[]> {
  const { device, product } = target;
  const protocol = endpoint.protocol;
  let accepted = 0;
  const offTap = hub.tap((message) => {
    if (message.productKey === device.productKey && message.deviceKey === device.deviceKey && message.kind === 'measurepoints') accepted++;
  });
  const report = await driver.connectivityTest([endpoint], target.samples, target.timeoutMs).finally(offTap);
  const entry = report.ok ? report.value[0] : undefined;
  const name = protocol.toUpperCase();
  if (!entry?.loggedIn) {
    const why = !report.ok ? report.error.message : (entry?.detail ?? 'no report');
    return [{ protocol, check: 'login', result: 'failed', latencyMs: null, explanation: `the device did not log in over ${name} at ${endpoint.host}:${endpoint.port}: ${why}` }];
  }
  const telemetry: Check = !product.thingModel
    ? { protocol, check: 'telemetry', result: 'not-applicable', latencyMs: null, explanation: `the product has no thing model: any telemetry is accepted (${accepted} sample(s) received); the model check did not apply` }
    : accepted > 0
      ? { protocol, check: 'telemetry', result: 'passed', latencyMs: null, explanation: `${accepted} sample(s) accepted under the thing model over ${name}` }
      : { protocol, check: 'telemetry', result: 'failed', latencyMs: null, explanation: `the hub accepted no telemetry over ${name} (${entry.samplesPosted} acknowledged by the device's count); check the payload against the thing model` };
  return [
    { protocol, check: 'login', result: 'passed', latencyMs: round(entry.latencyMs), explanation: `logged in over ${name} (secure mode 2)` },
    telemetry,
    { protocol, check: 'downstream', result: 'not-applicable', latencyMs: null, explanation: `a ${name} device receives commands only when it polls; the side-effect-free request is checked over MQTT` },
  ];
}

/** Runs the checks of every protocol the device is to be verified on, MQTT first (activation happens there). */
export async function verifyDevice(hub: Hub, driver: DeviceDriver, target: VerifyTarget): Promise<Check[]> {
  const checks: Check[] = [];
  const ordered = [...target.protocols].sort((a, b) => Number(b === 'mqtt') - Number(a === 'mqtt'));
  for (const protocol of ordered) {
    const endpoint = target.endpoint(protocol);
    if (!endpoint) {
      checks.push({ protocol, check: 'login', result: 'unavailable', latencyMs: null, explanation: `the station hub has no ${protocol.toUpperCase()} listener, so ${protocol} was not verified; start the hub with that listener` });
      continue;
    }
    checks.push(...(protocol === 'mqtt' ? await verifyMqtt(hub, driver, target, endpoint) : await verifyPolled(hub, driver, target, endpoint)));
  }
  return checks;
}

/** A run passes verification when no check failed and at least one protocol was really verified. */
export function verificationPassed(checks: readonly Check[]): boolean {
  return checks.some((check) => check.result === 'passed') && !checks.some((check) => check.result === 'failed');
}
