import { sign, signContent, type DigestAlgorithm } from './sign';

/** Auth signatures of the HTTP (protocol reference §8) and CoAP (§7) transports. */

export interface HttpAuthInput {
  productKey: string;
  deviceKey: string;
  /** Milliseconds, default 300000 (§8). */
  lifetime: number;
  signMethod: DigestAlgorithm;
  deviceSecret: string;
}

/** `deviceKey lifetime productKey signMethod` + deviceSecret (§8, test vector H1). */
export function httpAuthSignContent(input: HttpAuthInput): string {
  return signContent({ deviceKey: input.deviceKey, lifetime: String(input.lifetime), productKey: input.productKey, signMethod: input.signMethod }, input.deviceSecret);
}

export function httpAuthSign(input: HttpAuthInput): string {
  return sign({ deviceKey: input.deviceKey, lifetime: String(input.lifetime), productKey: input.productKey, signMethod: input.signMethod }, input.deviceSecret, input.signMethod);
}

export interface CoapAuthInput {
  productKey: string;
  deviceKey: string;
  /** Seconds, 30–86400 (§7). */
  lifetime: number;
  secureMode: 2 | 3;
  secret: string;
}

function coapParams(input: CoapAuthInput): Record<string, string> {
  return { deviceKey: input.deviceKey, lifetime: String(input.lifetime), productKey: input.productKey, secureMode: String(input.secureMode) };
}

/** Non-DTLS `/auth`: `deviceKey lifetime productKey secureMode` + secret, UPPER hex SHA-256 (§7, test vector C1). */
export function coapAuthSignContent(input: CoapAuthInput): string {
  return signContent(coapParams(input), input.secret);
}

export function coapAuthSign(input: CoapAuthInput): string {
  return sign(coapParams(input), input.secret, 'sha256');
}
