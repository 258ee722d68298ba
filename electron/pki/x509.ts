// @peculiar/x509 needs the reflect-metadata polyfill loaded before it (its ASN.1 schemas use decorators).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** @peculiar/x509 bound to node's WebCrypto; import it from here, never directly. */
export { x509 };
export const subtle = webcrypto.subtle;
