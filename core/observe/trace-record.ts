// What the relay thread records of one traced request: ids and times, plain data that crosses to the
// trace export worker packed as numbers (trace-transfer.ts). The worker writes each record straight out
// as the request's OTLP spans (the request's own span, auth, admission, one per upstream attempt,
// settlement: otlp-proto.ts or otlp-json.ts), so
// no span object is ever built, on the event loop that serves requests or off it.

/** One upstream attempt of a traced request. */
export interface AttemptRecord {
  /** The attempt span's id, already sent upstream in `traceparent`. */
  spanId: string
  /** Channel id. */
  channelId: number
  /** Channel type. */
  channelType: string
  /** The model named upstream. */
  upstreamModel: string
  /** 1 for the first channel tried, 2 for the first failover… */
  index: number
  /** When the attempt began. */
  start: number
  /** When it answered or failed; the request's end when it never reported. */
  end?: number
  /** The upstream's status, or the gateway's for a network fault or timeout. */
  status?: number
  /** Why the attempt failed, when it did. */
  error?: string
}

/** What a settlement recorded. */
export interface SettlementRecord {
  /** When settlement began. */
  start: number
  /** When it finished or was cut. */
  end?: number
  /** The settlement's error message, when it failed. */
  error?: string
  /** Input tokens billed. */
  inputTokens?: number
  /** Output tokens billed. */
  outputTokens?: number
  /** Quota units charged. */
  quota?: number
  /** How the answer ended ('completed', 'client-aborted', …). */
  outcome?: string
}

/**
 * One traced relay request, as the relay thread saw it. Times are whole microseconds of the relay
 * thread's `performance.now()` (the worker adds that thread's timeOrigin): integers cost the relay
 * thread less to read and to pack than fractional epoch milliseconds.
 */
export interface TraceRecord {
  /** The route pattern, for the span name and `http.route`. */
  route: string
  /** The client's dialect. */
  dialect: string
  /** The trace id (the client's, or a new one). */
  traceId: string
  /** The request span's own id; drawn by the export worker (nothing on the relay thread refers to it). */
  spanId?: string
  /** The client's span id when it sent a `traceparent`. */
  parentSpanId?: string
  /** When the request arrived. */
  start: number
  /** When authentication finished (or the request ended first). */
  authEnd?: number
  /** When admission began (after authentication). */
  admissionStart?: number
  /** When admission finished. */
  admissionEnd?: number
  /** The model the call was admitted for. */
  model?: string
  /** Whether the client asked for a stream. */
  stream?: boolean
  /** Upstream attempts, in order. */
  attempts: AttemptRecord[]
  /** When the first streamed event was ready for the client. */
  firstToken?: number
  /** The settlement, when there was one. */
  settlement?: SettlementRecord
  /** The status the client got. */
  status?: number
  /** The error code the client got, if any. */
  code?: string
  /** When the request was both answered and over. */
  end: number
}
