import { parseBlockOption, type BlockOption } from './block';

/**
 * Request options the hub's CoAP endpoint acts on (RFC 7252 §5.4.1): an unknown or unsupported
 * critical option (odd number) refuses the request with 4.02; unknown elective ones are dropped;
 * Observe is dropped (protocol reference §7: no Observe); Block1 is taken out for our own
 * assembler (block.ts) and Block2 read for follow-up requests.
 */

export interface Screened {
  readonly badOption: boolean;
  readonly block1: BlockOption | null;
  readonly block1Raw: Buffer | null;
  readonly block2: BlockOption | null;
}

interface PacketOptions {
  options?: Array<{ name: string | number; value: Buffer }>;
}

/** Options the package and this endpoint understand; the rest are elective noise or refused. */
const UNDERSTOOD = new Set(['Uri-Host', 'Uri-Port', 'Uri-Path', 'Uri-Query', 'Content-Format', 'Accept', 'Block2', 'Size1', 'Size2', 'ETag', 'Max-Age', 'No-Response']);
/** Critical options (odd numbers) the package names but the hub does not support. */
const CRITICAL_UNSUPPORTED = new Set(['If-Match', 'If-None-Match', 'OSCORE', 'Q-Block1', 'Q-Block2', 'Proxy-Uri', 'Proxy-Scheme']);

/** Most requests: nothing to refuse, no block-wise transfer. */
const PLAIN: Screened = Object.freeze({ badOption: false, block1: null, block1Raw: null, block2: null });

export function screenOptions(packet: PacketOptions): Screened {
  let badOption = false;
  let block1: BlockOption | null = null;
  let block1Raw: Buffer | null = null;
  let block2: BlockOption | null = null;
  const kept: Array<{ name: string | number; value: Buffer }> = [];
  for (const option of packet.options ?? []) {
    const name = String(option.name);
    if (name === 'Block1') {
      block1 = parseBlockOption(option.value);
      block1Raw = option.value;
      if (!block1) badOption = true;
      continue;
    }
    if (name === 'Block2') {
      block2 = parseBlockOption(option.value);
      if (!block2) badOption = true;
    }
    if (UNDERSTOOD.has(name)) kept.push(option);
    else if (CRITICAL_UNSUPPORTED.has(name)) badOption = true;
    // The parser names unknown options by their number: odd is critical (RFC 7252 §5.4.6).
    else if (/^\d+$/.test(name) && Number(name) % 2 === 1) badOption = true;
  }
  if (kept.length !== packet.options?.length) packet.options = kept;
  return badOption || block1Raw || block2 ? { badOption, block1, block1Raw, block2 } : PLAIN;
}
