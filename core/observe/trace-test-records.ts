import type { TraceRecord } from './trace-record.ts'

// Sample trace records the tracing tests share (otlp-json, otlp-proto and trace-transfer tests): each
// test takes these and changes only the fields its own checks are about.

/** The client's trace id (the W3C Trace Context example's). */
export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
/** The client's span id, the parent named in its traceparent. */
export const CLIENT_SPAN_ID = '00f067aa0ba902b7'
/** The first upstream attempt's span id, as sent upstream. */
export const ATTEMPT_SPAN_ID = 'b7ad6b7169203331'

/**
 * A streamed call under the client's span that failed over once (the first attempt answered 502 with a
 * quoted, non-ASCII message; the second never reported), was answered 503, and whose settlement failed.
 */
export function failedOverRecord(): TraceRecord {
  return {
    route: '/v1/chat/completions',
    dialect: 'openai.chat',
    traceId: TRACE_ID,
    parentSpanId: CLIENT_SPAN_ID,
    start: 10,
    authEnd: 250,
    admissionStart: 250,
    admissionEnd: 400,
    model: 'gpt-4o-mini',
    stream: true,
    attempts: [
      {
        spanId: ATTEMPT_SPAN_ID,
        channelId: 7,
        channelType: 'openai',
        upstreamModel: 'gpt-4o-mini',
        index: 1,
        start: 500,
        end: 900,
        status: 502,
        error: 'upstream said "no" – ünïcode',
      },
      { spanId: 'c0ffee0000000001', channelId: 8, channelType: 'azure', upstreamModel: 'gpt-4o-mini', index: 2, start: 950 },
    ],
    firstToken: 1_000,
    settlement: { start: 2_000, end: 2_100, error: 'ledger down' },
    status: 503,
    code: 'billing_unavailable',
    end: 2_200,
  }
}

/** A call in a new trace (no parent), with no attempt, settled with usage and answered 200; `index` sets its trace id and times. */
export function settledRecord(index: number): TraceRecord {
  return {
    route: '/v1/messages',
    dialect: 'claude.messages',
    traceId: index.toString(16).padStart(32, 'a'),
    start: index,
    authEnd: index + 1,
    attempts: [],
    settlement: { start: index + 2, end: index + 3, inputTokens: 12, outputTokens: 34, quota: 56, outcome: 'completed' },
    status: 200,
    end: index + 4,
  }
}
