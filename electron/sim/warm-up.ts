import { createServer, type AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { CONNECT_TIMEOUT_MS } from './application';
import { createCsr, generateDeviceKey } from './csr';

/** MQTT 3.1.1 §3.2: CONNACK, session not present, return code 0 (accepted). */
const CONNACK_ACCEPTED = Buffer.from([0x20, 0x02, 0x00, 0x00]);

let warmedUp: Promise<void> | undefined;

/**
 * Brings the emulated board's code paths up once at boot, before it appears on its port. A device's
 * network stack and crypto are ready once it has booted; the emulator's first use of its MQTT client
 * and of its key generation (JavaScript module loading and compilation: 50–250 ms on this machine)
 * is its own cost, which would otherwise be charged to the first login and the first CSR at the
 * station. Nothing leaves the sim: the MQTT client talks to a loopback stand-in that accepts any CONNECT.
 */
export function warmUp(): Promise<void> {
  // Once per process: the devices of a rig (`sim --count`) share the code it brings up.
  warmedUp ??= Promise.all([warmUpMqttClient(), createCsr(generateDeviceKey(), { country: 'XX', stateOrProvince: '-', locality: '-', organization: '-', organizationalUnit: '-' }, 'boot')]).then(() => undefined);
  return warmedUp;
}

async function warmUpMqttClient(): Promise<void> {
  const server = createServer((socket) => socket.on('error', () => undefined).once('data', () => socket.write(CONNACK_ACCEPTED)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: 'sim-boot', protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: CONNECT_TIMEOUT_MS });
  await new Promise<void>((resolve) => {
    client.once('connect', () => resolve());
    client.once('error', () => resolve());
    client.once('close', () => resolve());
  });
  await client.endAsync(true).catch(() => undefined);
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
