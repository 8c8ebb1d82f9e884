import type { ModelPrice } from '@hanggent/plugin-sdk'
import { priceEstimate } from '../billing/price-usage.ts'

// The money rules of a realtime session, pure so tests can state them:
// - to open a session, and to start each response, the payer must be able to cover `needed`: the cost of the
//   session's last response, and never less than the floor (REALTIME_MIN_RESPONSE_TOKENS output tokens at the
//   model's output price, at least one unit);
// - each response is charged exactly what its `response.done` usage prices to, as it arrives;
// - when the balance can no longer cover `needed` (checked after each charge and before forwarding a client's
//   `response.create`), the client gets an `insufficient_quota` error event and the session is closed.

/** The smallest amount a session must be able to pay for a response: `minResponseTokens` output tokens, at least one unit. */
export function responseFloorUnits(price: ModelPrice, groupRatio: number, minResponseTokens: number): number {
  return Math.max(1, priceEstimate(0, minResponseTokens, price, groupRatio).total)
}

/** What the next response must be covered by: the last response's cost, never below the floor. */
export function neededForNextResponse(lastResponseUnits: number, floorUnits: number): number {
  return Math.max(lastResponseUnits, floorUnits)
}

/** The close code of a session ended for want of quota: 1008, policy violation (as OpenAI closes for policy). */
export const INSUFFICIENT_QUOTA_CLOSE = 1008

/** The `error` server event that tells a client its balance cannot pay for another response. */
export function insufficientQuotaEvent(eventId: string, available: number, needed: number): string {
  return JSON.stringify({
    type: 'error',
    event_id: eventId,
    error: {
      type: 'insufficient_quota',
      code: 'insufficient_quota',
      message: `Insufficient quota: ${available} units left, and a response in this session needs at least ${needed}. The session is closed; top up and reconnect.`,
      param: null,
      event_id: null,
    },
  })
}

/**
 * True for a client `response.create` event, read cheaply: only frames that mention it are parsed, since it is
 * the only client event the gateway acts on.
 */
export function isResponseCreate(frame: string): boolean {
  if (!frame.includes('response.create')) return false
  try {
    const event = JSON.parse(frame) as unknown
    return typeof event === 'object' && event !== null && (event as { type?: unknown }).type === 'response.create'
  } catch {
    return false
  }
}

/**
 * The parsed server event when the frame may carry billed usage, else undefined: a `response.done`, or in a
 * transcription session (`transcription`) a finished input transcription. A conversation session's transcriptions
 * are not read: OpenAI bills them at the transcription model's price, which that session does not know.
 */
export function parseResponseDone(frame: string, transcription = false): unknown {
  if (!frame.includes(transcription ? 'input_audio_transcription.completed' : 'response.done')) return undefined
  try {
    return JSON.parse(frame) as unknown
  } catch {
    return undefined
  }
}

/** A close reason fits in a close frame (123 bytes of UTF-8); longer ones are cut. */
export function closeReason(reason: string): string {
  const bytes = new TextEncoder().encode(reason)
  if (bytes.length <= 123) return reason
  return `${new TextDecoder().decode(bytes.slice(0, 120)).replace(/\uFFFD+$/, '')}…`
}
