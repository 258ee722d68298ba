/**
 * Fault injection for tests and demos (`commissioner sim --fault KIND[:N]`, repeatable).
 * Each fault imitates a real failure of a cable, a module or its firmware.
 */
export interface Faults {
  /** Ignore every Nth request frame (a lost frame: the host retries). */
  dropEvery?: number;
  /** Flip a bit in every Nth response frame (a bad CRC: the host retries with the same seq). */
  corruptEvery?: number;
  /** Answer this many ms late (a slow device). */
  delayMs?: number;
  refuseCsr?: boolean;
  /** Reboot (lose RAM, go quiet briefly) once this many transfer bytes arrived. */
  rebootMidWrite?: number;
  /** Close the pseudo-terminal (an unplug) once this many transfer bytes arrived. */
  unplugMidWrite?: number;
  /** Never answer. */
  silent?: boolean;
  /** Answer every request with line noise. */
  garbage?: boolean;
  /** Answer with a sequence number that belongs to no request. */
  wrongSeq?: boolean;
  /** Answer in this protocol version. */
  version?: number;
  /** Answer with frames larger than any host limit. */
  oversized?: boolean;
}

const NUMERIC = { drop: 'dropEvery', corrupt: 'corruptEvery', delay: 'delayMs', 'reboot-mid-write': 'rebootMidWrite', 'unplug-mid-write': 'unplugMidWrite', version: 'version' } as const;
const FLAGS = { 'refuse-csr': 'refuseCsr', silent: 'silent', garbage: 'garbage', 'wrong-seq': 'wrongSeq', oversized: 'oversized' } as const;

export const FAULT_NAMES = [...Object.keys(NUMERIC).map((name) => `${name}:N`), ...Object.keys(FLAGS)];

/** Parses `--fault` values; returns the name of the first unknown one as an error string. */
export function parseFaults(specs: readonly string[]): Faults | string {
  const faults: Faults = {};
  for (const spec of specs) {
    const [name = '', value] = spec.split(':');
    if (name in NUMERIC) {
      const number = Number(value);
      if (!Number.isInteger(number) || number < 0) return `--fault ${spec}: ${name} needs a whole number, e.g. ${name}:3`;
      faults[NUMERIC[name as keyof typeof NUMERIC]] = number;
    } else if (name in FLAGS && value === undefined) {
      faults[FLAGS[name as keyof typeof FLAGS]] = true;
    } else {
      return `--fault ${spec} is unknown; use one of ${FAULT_NAMES.join(', ')}`;
    }
  }
  return faults;
}
