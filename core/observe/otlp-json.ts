import type { TraceRecord } from './trace-record.ts'

// The OTLP/HTTP JSON body of an export (ExportTraceServiceRequest), written as UTF-8 bytes straight
// from the relay's trace records: no span objects, no attribute maps, no intermediate strings. Fixed
// pieces are encoded once; ids, times and numbers are written digit by digit; free text (route, model,
// messages) is JSON-quoted and encoded once per distinct value. Pieces are copied in loops: for pieces
// this small TypedArray.set costs more than the copy. The OpenTelemetry SDK's span objects and its
// serialiser cost this thread about twice as much for the same body.
// see https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding (ids as hex, enums as integers, int64 as decimal)
// see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto

/** What every exported span shares, and where the ids of the spans nobody outside refers to come from. */
export interface OtlpOrigin {
  /** service.name of the resource. */
  serviceName: string
  /** service.version of the resource and the scope's version. */
  version: string
  /** Epoch microseconds that record times count from (the relay thread's timeOrigin). */
  timeOriginMicros: number
  /** Fills bytes with randomness (crypto.getRandomValues), for the ids of the spans nobody outside refers to. */
  fillRandom(bytes: Uint8Array): void
}

// Span.SpanKind as OTLP numbers it (the API's SpanKind plus one), and Span.flags: the W3C sampled flag,
// and that the parent's remoteness is known (0x100) and remote (0x200). Both encodings write these.
/** SpanKind INTERNAL: auth, admission, settlement. */
export const KIND_INTERNAL = 1
/** SpanKind SERVER: the request's own span. */
export const KIND_SERVER = 2
/** SpanKind CLIENT: an upstream attempt. */
export const KIND_CLIENT = 3
/** Flags of a span whose parent is in this process (sampled, parent local). */
export const FLAGS_LOCAL_PARENT = 0x101
/** Flags of the request span under the client's span (sampled, parent remote). */
export const FLAGS_REMOTE_PARENT = 0x301

const utf8 = new TextEncoder()
/** Quoted free text seen before, as bytes; cleared when it grows past QUOTED_LIMIT (values repeat: routes, models, channel types). */
const quoted = new Map<string, Uint8Array>()
const QUOTED_LIMIT = 4096

/** Fixed pieces of the body, as bytes. */
const piece = (text: string) => utf8.encode(text)
const SPAN_TRACE_ID = piece('{"traceId":"')
const SPAN_ID = piece('","spanId":"')
const PARENT_ID = piece('","parentSpanId":"')
const FLAGS = piece('","flags":')
const NAME = piece(',"name":')
const KIND = piece(',"kind":')
const START = piece(',"startTimeUnixNano":"')
const END = piece('","endTimeUnixNano":"')
const ATTRIBUTES = piece('","attributes":[')
const ATTRIBUTES_END = piece(']')
const EVENT_FIRST_TOKEN = piece(',"events":[{"name":"first token","timeUnixNano":"')
const EVENT_END = piece('"}]')
const STATUS_ERROR = piece(',"status":{"code":2,"message":')
const OBJECT_END = piece('}')
const COMMA = piece(',')
const THOUSAND = piece('000')
const VALUE_END = piece('}}')

/** The opening of a KeyValue up to its value: `{"key":"…","value":{"stringValue":` and so on. */
const key = (name: string, type: 'stringValue' | 'intValue' | 'boolValue'): Uint8Array => piece(`{"key":"${name}","value":{"${type}":`)
const ROUTE = key('http.route', 'stringValue')
const DIALECT = key('hanggent.dialect', 'stringValue')
const MODEL = key('gen_ai.request.model', 'stringValue')
const STREAM = key('hanggent.stream', 'boolValue')
const STATUS_CODE = key('http.response.status_code', 'intValue')
const ERROR_CODE = key('hanggent.error_code', 'stringValue')
const CHANNEL_ID = key('hanggent.channel.id', 'intValue')
const CHANNEL_TYPE = key('hanggent.channel.type', 'stringValue')
const UPSTREAM_MODEL = key('hanggent.upstream_model', 'stringValue')
const ATTEMPT = key('hanggent.attempt', 'intValue')
const INPUT_TOKENS = key('gen_ai.usage.input_tokens', 'intValue')
const OUTPUT_TOKENS = key('gen_ai.usage.output_tokens', 'intValue')
const QUOTA = key('hanggent.quota', 'intValue')
const OUTCOME = key('hanggent.outcome', 'stringValue')
const TRUE = piece('true')
const FALSE = piece('false')
/** Digits of a number, reversed, before they are copied out. */
const scratch = new Uint8Array(24)
/** The two hex digits of each byte, as char codes. */
const HEX_HIGH = Uint8Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0').charCodeAt(0))
const HEX_LOW = Uint8Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0').charCodeAt(1))
const HEX_PAIRS = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))
const ZERO_SPAN_ID = '0'.repeat(16)
/** The quoted names of the child spans, and of each route's request span (`relay <route>`). */
const AUTH = piece('"auth"')
const ADMISSION = piece('"admission"')
const ATTEMPT_NAME = piece('"upstream attempt"')
const SETTLEMENT = piece('"settlement"')
const rootNames = new Map<string, Uint8Array>()
function rootName(route: string): Uint8Array {
  let name = rootNames.get(route)
  if (!name) {
    if (rootNames.size >= QUOTED_LIMIT) rootNames.clear()
    name = utf8.encode(JSON.stringify(`relay ${route}`))
    rootNames.set(route, name)
  }
  return name
}

/** A growing UTF-8 buffer the body is written into. */
class ByteWriter {
  bytes: Uint8Array<ArrayBuffer>
  length = 0
  constructor(buffer: Uint8Array<ArrayBuffer>) {
    this.bytes = buffer
  }
  /** Room for `count` more bytes. */
  private reserve(count: number): void {
    if (this.length + count <= this.bytes.length) return
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + count))
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes = grown
  }
  /** Appends bytes (a loop: TypedArray.set costs more than it copies for pieces this small). */
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length)
    const target = this.bytes
    let at = this.length
    for (let index = 0; index < bytes.length; index++) target[at++] = bytes[index] as number
    this.length = at
  }
  /** Appends ASCII text (hex ids) one char per byte. */
  ascii(text: string): void {
    this.reserve(text.length)
    for (let index = 0; index < text.length; index++) this.bytes[this.length++] = text.charCodeAt(index)
  }
  /** Appends `count` random bytes from `pool` (refilled by `fill` when spent) as hex, never all zeros (W3C forbids it). */
  randomHex(count: number, pool: { bytes: Uint8Array; used: number; fill(bytes: Uint8Array): void }): void {
    this.reserve(count * 2)
    for (;;) {
      if (pool.used + count > pool.bytes.length) {
        pool.fill(pool.bytes)
        pool.used = 0
      }
      let zero = true
      const target = this.bytes
      let at = this.length
      for (let index = pool.used; index < pool.used + count; index++) {
        const byte = pool.bytes[index] as number
        if (byte !== 0) zero = false
        target[at++] = HEX_HIGH[byte] as number
        target[at++] = HEX_LOW[byte] as number
      }
      pool.used += count
      if (zero) continue
      this.length = at
      return
    }
  }
  /** Appends a non-negative whole number below 2^53, at least `width` digits (zero-padded). */
  digits(value: number, width = 1): void {
    let count = 0
    do {
      scratch[count++] = 48 + (value % 10)
      value = Math.floor(value / 10)
    } while (value > 0 || count < width)
    this.reserve(count)
    const target = this.bytes
    while (count > 0) target[this.length++] = scratch[--count] as number
  }
  /** Appends a number as a JSON integer (every number traced is whole: ids, statuses, tokens, quota; others are rounded). */
  integer(value: number): void {
    const whole = Number.isFinite(value) ? Math.round(value) : 0
    if (whole >= 0 && whole <= Number.MAX_SAFE_INTEGER) this.digits(whole)
    else this.ascii(String(whole))
  }
  /** Appends free text as a JSON string. */
  text(value: string): void {
    let bytes = quoted.get(value)
    if (!bytes) {
      if (quoted.size >= QUOTED_LIMIT) quoted.clear()
      bytes = utf8.encode(JSON.stringify(value))
      quoted.set(value, bytes)
    }
    this.raw(bytes)
  }
  /** Epoch microseconds as OTLP's fixed64 nanoseconds in decimal, exact (no float past 2^53). */
  unixNanos(epochMicros: number): void {
    this.digits(epochMicros)
    this.raw(THOUSAND)
  }
  /** Appends one KeyValue with a text value (`prefix` from key()). */
  textAttribute(prefix: Uint8Array, value: string): void {
    this.raw(prefix)
    this.text(value)
    this.raw(VALUE_END)
  }
  /** Appends one KeyValue with a whole-number value. */
  intAttribute(prefix: Uint8Array, value: number): void {
    this.raw(prefix)
    this.integer(value)
    this.raw(VALUE_END)
  }
}

/** A span's fixed fields; its attributes, events and status follow through the callback. */
interface SpanHead {
  traceId: string
  /** The span's id, or null to draw a random one. */
  spanId: string | null
  parentSpanId: string | undefined
  flags: number
  /** The span's name, JSON-quoted. */
  name: Uint8Array
  kind: number
  start: number
  end: number
}

/** The OTLP export body being filled: an ExportTraceServiceRequest under one resource and scope. */
export class OtlpJsonBatch {
  /** Spans written so far. */
  spans = 0
  private readonly writer: ByteWriter
  private readonly random: { bytes: Uint8Array; used: number; fill(bytes: Uint8Array): void }
  private readonly originMicros: number
  /**
   * A batch written into `buffer` (grown when too small): pass back a buffer an earlier batch's body no
   * longer needs, so a batch costs no fresh megabyte to allocate and zero.
   */
  constructor(origin: OtlpOrigin, buffer: Uint8Array<ArrayBuffer> = new Uint8Array(1 << 20)) {
    this.random = { bytes: new Uint8Array(4096), used: 4096, fill: origin.fillRandom }
    this.originMicros = origin.timeOriginMicros
    this.writer = new ByteWriter(buffer)
    const resource = `{"attributes":[{"key":"service.name","value":{"stringValue":${JSON.stringify(origin.serviceName)}}},{"key":"service.version","value":{"stringValue":${JSON.stringify(origin.version)}}}]}`
    this.writer.raw(
      piece(`{"resourceSpans":[{"resource":${resource},"scopeSpans":[{"scope":{"name":"hanggent-api","version":${JSON.stringify(origin.version)}},"spans":[`),
    )
  }

  /**
   * Writes the spans of one traced request: its own span (SERVER, child of the client's span when it
   * sent one) and the children auth, admission, each upstream attempt (CLIENT, with the id sent
   * upstream) and settlement.
   */
  add(record: TraceRecord): void {
    const { traceId, end } = record
    const rootId = record.spanId ?? this.randomId()
    const writer = this.writer
    const local = (name: Uint8Array, start: number, spanEnd: number) =>
      this.head({ traceId, spanId: null, parentSpanId: rootId, flags: FLAGS_LOCAL_PARENT, name, kind: KIND_INTERNAL, start, end: spanEnd })
    const parentSpanId = record.parentSpanId
    const flags = parentSpanId ? FLAGS_REMOTE_PARENT : FLAGS_LOCAL_PARENT
    this.head({ traceId, spanId: rootId, parentSpanId, flags, name: rootName(record.route), kind: KIND_SERVER, start: record.start, end })
    writer.textAttribute(ROUTE, record.route)
    writer.raw(COMMA)
    writer.textAttribute(DIALECT, record.dialect)
    if (record.model !== undefined) this.moreText(MODEL, record.model)
    if (record.stream !== undefined) {
      writer.raw(COMMA)
      writer.raw(STREAM)
      writer.raw(record.stream ? TRUE : FALSE)
      writer.raw(VALUE_END)
    }
    let rootError: string | undefined
    if (record.status !== undefined) {
      this.moreInt(STATUS_CODE, record.status)
      if (record.status >= 500) rootError = record.code ?? `HTTP ${record.status}`
      else if (record.code) this.moreText(ERROR_CODE, record.code)
    }
    writer.raw(ATTRIBUTES_END)
    if (record.firstToken !== undefined) {
      writer.raw(EVENT_FIRST_TOKEN)
      writer.unixNanos(this.originMicros + record.firstToken)
      writer.raw(EVENT_END)
    }
    this.tail(rootError)

    local(AUTH, record.start, record.authEnd ?? end)
    this.tail(undefined, true)
    if (record.admissionStart !== undefined) {
      local(ADMISSION, record.admissionStart, record.admissionEnd ?? end)
      this.tail(undefined, true)
    }
    for (const attempt of record.attempts) {
      const head = { traceId, spanId: attempt.spanId, parentSpanId: rootId, flags: FLAGS_LOCAL_PARENT, name: ATTEMPT_NAME, kind: KIND_CLIENT }
      this.head({ ...head, start: attempt.start, end: attempt.end ?? end })
      writer.intAttribute(CHANNEL_ID, attempt.channelId)
      this.moreText(CHANNEL_TYPE, attempt.channelType)
      this.moreText(UPSTREAM_MODEL, attempt.upstreamModel)
      this.moreInt(ATTEMPT, attempt.index)
      if (attempt.status !== undefined) this.moreInt(STATUS_CODE, attempt.status)
      writer.raw(ATTRIBUTES_END)
      this.tail(attempt.error)
    }
    const settlement = record.settlement
    if (settlement) {
      local(SETTLEMENT, settlement.start, settlement.end ?? end)
      if (settlement.error === undefined && settlement.quota !== undefined) {
        writer.intAttribute(INPUT_TOKENS, settlement.inputTokens ?? 0)
        this.moreInt(OUTPUT_TOKENS, settlement.outputTokens ?? 0)
        this.moreInt(QUOTA, settlement.quota)
        this.moreText(OUTCOME, settlement.outcome ?? '')
      }
      writer.raw(ATTRIBUTES_END)
      this.tail(settlement.error)
    }
  }

  /** The buffer written into (grown, perhaps), to hand to the next batch once the body is sent. */
  get buffer(): Uint8Array<ArrayBuffer> {
    return this.writer.bytes
  }

  /** The finished body, a view of the buffer (the batch is not written to after this). */
  body(): Uint8Array<ArrayBuffer> {
    this.writer.raw(piece(']}]}]}'))
    return this.writer.bytes.subarray(0, this.writer.length)
  }

  /** A random span id as a string (the request span's, which its children name as their parent). */
  private randomId(): string {
    const random = this.random
    if (random.used + 8 > random.bytes.length) {
      random.fill(random.bytes)
      random.used = 0
    }
    let id = ''
    for (let index = random.used; index < random.used + 8; index++) id += HEX_PAIRS[random.bytes[index] as number]
    random.used += 8
    return id === ZERO_SPAN_ID ? this.randomId() : id
  }

  /** Opens a span, up to the start of its attributes array. */
  private head(span: SpanHead): void {
    const writer = this.writer
    if (this.spans++ > 0) writer.raw(COMMA)
    writer.raw(SPAN_TRACE_ID)
    writer.ascii(span.traceId)
    writer.raw(SPAN_ID)
    if (span.spanId === null) writer.randomHex(8, this.random)
    else writer.ascii(span.spanId)
    if (span.parentSpanId) {
      writer.raw(PARENT_ID)
      writer.ascii(span.parentSpanId)
    }
    writer.raw(FLAGS)
    writer.digits(span.flags)
    writer.raw(NAME)
    writer.raw(span.name)
    writer.raw(KIND)
    writer.digits(span.kind)
    writer.raw(START)
    writer.unixNanos(this.originMicros + span.start)
    writer.raw(END)
    writer.unixNanos(this.originMicros + Math.max(span.end, span.start))
    writer.raw(ATTRIBUTES)
  }

  /** One more text attribute after the first. */
  private moreText(prefix: Uint8Array, value: string): void {
    this.writer.raw(COMMA)
    this.writer.textAttribute(prefix, value)
  }

  /** One more whole-number attribute after the first. */
  private moreInt(prefix: Uint8Array, value: number): void {
    this.writer.raw(COMMA)
    this.writer.intAttribute(prefix, value)
  }

  /** Closes a span: its attributes array when `closeAttributes`, then its error status, if any. */
  private tail(error: string | undefined, closeAttributes = false): void {
    const writer = this.writer
    if (closeAttributes) writer.raw(ATTRIBUTES_END)
    if (error !== undefined) {
      writer.raw(STATUS_ERROR)
      writer.text(error)
      writer.raw(OBJECT_END)
    }
    writer.raw(OBJECT_END)
  }
}
