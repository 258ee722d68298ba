import { generate, type ParsedPacket } from 'coap-packet';

/**
 * The common exchange answered without the coap package's per-request machinery (its request and
 * response streams, piggyback timer, retry sender and hex-keyed response cache cost more than the
 * hub's whole message pipeline): one request datagram in, one answer datagram out, piggybacked on
 * the ACK of a confirmable request (RFC 7252 §5.2.1) or as a NON to a NON (§5.2.3).
 */

export interface DirectAnswer {
  readonly code: string;
  readonly options: ReadonlyArray<{ readonly name: string; readonly value: Buffer }>;
  readonly payload: Buffer | undefined;
}

/** The request's path from its Uri-Path options, as the package spells `url` without its query. */
export function uriPath(packet: Pick<ParsedPacket, 'options'>): string {
  let path = '';
  for (const option of packet.options) if (option.name === 'Uri-Path') path += `/${option.value.toString('utf8')}`;
  return path || '/';
}

/** The answer datagram: the request's message id and token, ACK for a CON, NON for a NON. */
export function answerDatagram(request: Pick<ParsedPacket, 'messageId' | 'token' | 'confirmable'>, answer: DirectAnswer): Buffer {
  return generate({ messageId: request.messageId, token: request.token, code: answer.code, confirmable: false, ack: request.confirmable, reset: false, options: [...answer.options], payload: answer.payload });
}

/** What an endpoint's last request got: the answer datagram, or `package` when the coap package answered it (block-wise). */
export type LastAnswer = Buffer | 'package';

/**
 * RFC 7252 §4.5: a retransmitted request (same source endpoint and message id within
 * EXCHANGE_LIFETIME) gets the answer already sent, and is not handled twice. A device has one
 * exchange in flight (NSTART 1, §4.7), so the last answer per endpoint is kept, for at most
 * `maxEndpoints` endpoints (when full, the endpoint first seen longest ago is forgotten).
 */
export class RecentAnswers {
  private readonly byEndpoint = new Map<string, { messageId: number; answer: LastAnswer; at: number }>();

  constructor(private readonly limits: { maxEndpoints: number; lifetimeMs: number }) {}

  /** The answer to repeat when this request is a retransmission, else null. */
  find(endpoint: string, messageId: number, now: number): LastAnswer | null {
    const last = this.byEndpoint.get(endpoint);
    return last && last.messageId === messageId && now - last.at <= this.limits.lifetimeMs ? last.answer : null;
  }

  remember(endpoint: string, messageId: number, answer: LastAnswer, now: number): void {
    const last = this.byEndpoint.get(endpoint);
    if (last) {
      // Reused in place: the map keeps its insertion order, which only the first answer sets.
      last.messageId = messageId;
      last.answer = answer;
      last.at = now;
      return;
    }
    if (this.byEndpoint.size >= this.limits.maxEndpoints) this.byEndpoint.delete(this.byEndpoint.keys().next().value!);
    this.byEndpoint.set(endpoint, { messageId, answer, at: now });
  }
}
