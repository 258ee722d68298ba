import { describe, expect, it } from 'vitest';
import { events, requests } from '../../shared/contract';
import { ClientFrameSchema, ServerFrameSchema } from '../../shared/contract/wire';
import { ERROR_MESSAGES, ErrorCodeSchema } from '../../shared/errors';
import { eventSamples, requestSamples } from '../fixtures/contract-samples';

const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('contract', () => {
  it('has a sample for every request and event', () => {
    expect(Object.keys(requestSamples).sort()).toEqual([...requests.keys()].sort());
    expect(Object.keys(eventSamples).sort()).toEqual([...events.keys()].sort());
  });

  it.each([...requests.keys()])('request %s round-trips through its schemas and JSON', (channel) => {
    const def = requests.get(channel)!;
    const sample = requestSamples[channel]!;
    const input = def.input.parse(sample.input);
    expect(def.input.parse(roundTrip(input))).toEqual(input);
    const output = def.output.parse(sample.output);
    expect(def.output.parse(roundTrip(output))).toEqual(output);
  });

  it.each([...events.keys()])('event %s round-trips through its schema and JSON', (channel) => {
    const def = events.get(channel)!;
    const payload = def.payload.parse(eventSamples[channel]);
    expect(def.payload.parse(roundTrip(payload))).toEqual(payload);
  });

  it('names channels as domain.verb, each once', () => {
    for (const channel of [...requests.keys(), ...events.keys()]) expect(channel).toMatch(/^[a-z]+(\.[a-zA-Z]+)+$/);
  });

  it('pairs every error code with a user-facing message', () => {
    for (const code of ErrorCodeSchema.options) expect(ERROR_MESSAGES[code].length).toBeGreaterThan(5);
  });

  it('refuses malformed bridge frames', () => {
    expect(ClientFrameSchema.safeParse({ type: 'call', id: -1, channel: 'app.info' }).success).toBe(false);
    expect(ClientFrameSchema.safeParse({ type: 'call', id: 1, channel: '' }).success).toBe(false);
    expect(ClientFrameSchema.safeParse({ type: 'exec', id: 1, channel: 'app.info' }).success).toBe(false);
    expect(ServerFrameSchema.safeParse({ type: 'result', id: 1, result: { ok: false, error: { code: 'NOPE', message: '' } } }).success).toBe(false);
  });
});
