import { FLAGS_LOCAL_PARENT, FLAGS_REMOTE_PARENT, KIND_CLIENT, KIND_INTERNAL, KIND_SERVER, type OtlpOrigin } from './otlp-json.ts'
import { ATTEMPT_SLOTS, HEADER_SLOTS } from './trace-transfer.ts'

// The OTLP/HTTP protobuf body of an export (ExportTraceServiceRequest, binary), written straight from
// the trace records as the relay thread packed them (trace-transfer.ts), read in place, into one reused
// buffer: ids as their raw 16/8 bytes, times as fixed64 nanoseconds, integers as varints, fixed pieces
// (attribute keys, span names) encoded once. Protobuf is the OTLP exporters' default protocol and about
// a third of the JSON body's size; writing it costs the export worker a fraction of what the JSON
// encoding (otlp-json.ts, still selectable, from unpacked records) does.
// Each span's length prefix is reserved before the span is written and fixed up after (moving the span
// one byte when it is short); the request, resource and scope headers, whose lengths depend on every
// span, are written last into room kept at the buffer's start.
// see https://protobuf.dev/programming-guides/encoding/
// see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
// see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/common/v1/common.proto

/** An export body being filled, in either OTLP encoding: what the export worker sends and recycles. */
export interface OtlpBatch {
  /** Spans written so far. */
  readonly spans: number
  /** The finished body, a view of the buffer (nothing is written to the batch after this). */
  body(): Uint8Array<ArrayBuffer>
  /** The buffer written into, to hand to a later batch once the body is sent. */
  readonly buffer: Uint8Array<ArrayBuffer>
}

/** Wire types of a field's tag. */
const VARINT = 0
const FIXED64 = 1
const LEN = 2
const FIXED32 = 5
/** A field's tag: its number and wire type. */
const tag = (field: number, wireType: number) => (field << 3) | wireType

/** Span fields (trace.proto) and the fields of the messages inside a span. */
const SPAN_TRACE_ID = tag(1, LEN)
const SPAN_SPAN_ID = tag(2, LEN)
const SPAN_PARENT_ID = tag(4, LEN)
const SPAN_NAME = tag(5, LEN)
const SPAN_KIND = tag(6, VARINT)
const SPAN_START = tag(7, FIXED64)
const SPAN_END = tag(8, FIXED64)
const SPAN_ATTRIBUTE = tag(9, LEN)
const SPAN_EVENT = tag(11, LEN)
const SPAN_STATUS = tag(15, LEN)
/** Span.flags is field 16, so its tag takes two varint bytes. */
const SPAN_FLAGS = [0x80 | (tag(16, FIXED32) & 0x7f), tag(16, FIXED32) >> 7] as const
const EVENT_TIME = tag(1, FIXED64)
const EVENT_NAME = tag(2, LEN)
const STATUS_MESSAGE = tag(2, LEN)
const STATUS_CODE_ERROR = [tag(3, VARINT), 2] as const
/** AnyValue's string, bool and int fields; KeyValue's key and value. */
const ANY_STRING = tag(1, LEN)
const ANY_BOOL = tag(2, VARINT)
const ANY_INT = tag(3, VARINT)
const KEY_VALUE_KEY = tag(1, LEN)
const KEY_VALUE_VALUE = tag(2, LEN)
/** ScopeSpans.spans; the request's resource_spans, ResourceSpans' resource and scope_spans, ScopeSpans' scope. */
const SCOPE_SPANS_SPAN = tag(2, LEN)
const REQUEST_RESOURCE_SPANS = tag(1, LEN)
const RESOURCE_SPANS_RESOURCE = tag(1, LEN)
const RESOURCE_SPANS_SCOPE_SPANS = tag(2, LEN)
const SCOPE_SPANS_SCOPE = tag(1, LEN)

const utf8 = new TextEncoder()
/** Free text seen before, as UTF-8; cleared when it grows past TEXT_LIMIT (values repeat: models, channel types, codes). */
const texts = new Map<string, Uint8Array>()
const TEXT_LIMIT = 4096
/** UTF-8 of a text, cached. */
function textBytes(value: string): Uint8Array {
  let bytes = texts.get(value)
  if (!bytes) {
    if (texts.size >= TEXT_LIMIT) texts.clear()
    bytes = utf8.encode(value)
    texts.set(value, bytes)
  }
  return bytes
}

/** Bytes of a varint holding a non-negative whole number below 2^53. */
function varintSize(value: number): number {
  let size = 1
  while (value >= 128) {
    value = Math.floor(value / 128)
    size++
  }
  return size
}

/** A KeyValue's bytes up to its AnyValue's length: `key` field, then the `value` field's tag. */
const keyPrefix = (key: string): Uint8Array => {
  const name = utf8.encode(key)
  return Uint8Array.of(KEY_VALUE_KEY, name.length, ...name, KEY_VALUE_VALUE)
}
const ROUTE = keyPrefix('http.route')
const DIALECT = keyPrefix('hanggent.dialect')
const MODEL = keyPrefix('gen_ai.request.model')
const STREAM = keyPrefix('hanggent.stream')
const STATUS_CODE = keyPrefix('http.response.status_code')
const ERROR_CODE = keyPrefix('hanggent.error_code')
const CHANNEL_ID = keyPrefix('hanggent.channel.id')
const CHANNEL_TYPE = keyPrefix('hanggent.channel.type')
const UPSTREAM_MODEL = keyPrefix('hanggent.upstream_model')
const ATTEMPT = keyPrefix('hanggent.attempt')
const INPUT_TOKENS = keyPrefix('gen_ai.usage.input_tokens')
const OUTPUT_TOKENS = keyPrefix('gen_ai.usage.output_tokens')
const QUOTA = keyPrefix('hanggent.quota')
const OUTCOME = keyPrefix('hanggent.outcome')
const AUTH = utf8.encode('auth')
const ADMISSION = utf8.encode('admission')
const ATTEMPT_NAME = utf8.encode('upstream attempt')
const SETTLEMENT = utf8.encode('settlement')
const FIRST_TOKEN = utf8.encode('first token')
const rootNames = new Map<string, Uint8Array>()
/** The request span's name, `relay <route>`, cached per route. */
function rootName(route: string): Uint8Array {
  let name = rootNames.get(route)
  if (!name) {
    if (rootNames.size >= TEXT_LIMIT) rootNames.clear()
    name = utf8.encode(`relay ${route}`)
    rootNames.set(route, name)
  }
  return name
}

const TWO_32 = 2 ** 32

/** The OTLP protobuf export body being filled: an ExportTraceServiceRequest under one resource and scope. */
export class OtlpProtoBatch implements OtlpBatch {
  /** Spans written so far. */
  spans = 0
  private bytes: Uint8Array<ArrayBuffer>
  private length: number
  /** Where the spans start: room before it is kept for the request, resource and scope headers. */
  private readonly spansAt: number
  /** ResourceSpans.resource and ScopeSpans.scope, tags and lengths included (the same for every batch). */
  private readonly resourceField: Uint8Array
  private readonly scopeField: Uint8Array
  private readonly originMicros: number
  private readonly random: { bytes: Uint8Array; used: number; fill(bytes: Uint8Array): void }
  private readonly traceId = new Uint8Array(16)
  private readonly rootId = new Uint8Array(8)
  private readonly spanId = new Uint8Array(8)
  private readonly parentId = new Uint8Array(8)

  /** A batch written into `buffer` (grown when too small): pass back a buffer a sent batch no longer needs. */
  constructor(origin: OtlpOrigin, buffer: Uint8Array<ArrayBuffer> = new Uint8Array(1 << 19)) {
    this.originMicros = origin.timeOriginMicros
    this.random = { bytes: new Uint8Array(4096), used: 4096, fill: origin.fillRandom }
    const stringAttribute = (key: string, value: string) => {
      const any = lengthDelimited(ANY_STRING, utf8.encode(value))
      return lengthDelimited(tag(1, LEN), Uint8Array.of(...keyPrefix(key), ...varint(any.length), ...any))
    }
    const resource = Uint8Array.of(...stringAttribute('service.name', origin.serviceName), ...stringAttribute('service.version', origin.version))
    this.resourceField = lengthDelimited(RESOURCE_SPANS_RESOURCE, resource)
    const scope = Uint8Array.of(...lengthDelimited(tag(1, LEN), utf8.encode('hanggent-api')), ...lengthDelimited(tag(2, LEN), utf8.encode(origin.version)))
    this.scopeField = lengthDelimited(SCOPE_SPANS_SCOPE, scope)
    // Three tags and three lengths (at most 5 bytes each below 4 GiB) go before the resource and scope.
    this.spansAt = this.resourceField.length + this.scopeField.length + 18
    this.bytes = buffer.length >= this.spansAt ? buffer : new Uint8Array(1 << 19)
    this.length = this.spansAt
  }

  /** The buffer written into (grown, perhaps). */
  get buffer(): Uint8Array<ArrayBuffer> {
    return this.bytes
  }

  /**
   * Writes the spans of the traced request packed at `at` (trace-transfer.ts's layout), read in place
   * without building its record: its own span (SERVER, child of the client's span when it sent one)
   * and the children auth, admission, each upstream attempt (CLIENT, with the id sent upstream) and
   * settlement; the same spans, attributes and statuses as otlp-json.ts writes from the unpacked
   * record. Returns where the next record starts. `text` reads a text slot (undefined for none).
   */
  addPacked(slots: Float64Array, at: number, text: (slot: number) => string | undefined): number {
    const num = (index: number) => slots[at + index] as number
    const present = (index: number) => !Number.isNaN(slots[at + index])
    wordsInto(slots, at + 3, 4, this.traceId)
    const rootId = this.rootId
    this.randomInto(rootId)
    const end = num(18)
    const remote = present(7)
    if (remote) wordsInto(slots, at + 7, 2, this.parentId)
    const route = text(num(1)) ?? ''
    let span = this.head(rootId, remote ? this.parentId : null, remote ? FLAGS_REMOTE_PARENT : FLAGS_LOCAL_PARENT, rootName(route), KIND_SERVER, num(9), end)
    this.textAttribute(ROUTE, route)
    this.textAttribute(DIALECT, text(num(2)) ?? '')
    const model = text(num(13))
    if (model !== undefined) this.textAttribute(MODEL, model)
    if (present(14)) this.boolAttribute(STREAM, num(14) === 1)
    let rootError: string | undefined
    const code = text(num(17))
    if (present(16)) {
      const status = num(16)
      this.intAttribute(STATUS_CODE, status)
      if (status >= 500) rootError = code ?? `HTTP ${status}`
      else if (code) this.textAttribute(ERROR_CODE, code)
    }
    if (present(15)) this.firstTokenEvent(num(15))
    this.tail(span, rootError)

    span = this.head(null, rootId, FLAGS_LOCAL_PARENT, AUTH, KIND_INTERNAL, num(9), present(10) ? num(10) : end)
    this.tail(span, undefined)
    if (present(11)) {
      span = this.head(null, rootId, FLAGS_LOCAL_PARENT, ADMISSION, KIND_INTERNAL, num(11), present(12) ? num(12) : end)
      this.tail(span, undefined)
    }
    const attempts = num(0)
    const settled = present(19)
    const settlementError = text(num(21))
    const settlement = { start: num(19), end: present(20) ? num(20) : end, quota: num(24), inputTokens: num(22), outputTokens: num(23), outcome: text(num(25)) }
    let attempt = at + HEADER_SLOTS
    for (let index = 0; index < attempts; index++, attempt += ATTEMPT_SLOTS) {
      wordsInto(slots, attempt, 2, this.spanId)
      const attemptEnd = Number.isNaN(slots[attempt + 7]) ? end : (slots[attempt + 7] as number)
      span = this.head(this.spanId, rootId, FLAGS_LOCAL_PARENT, ATTEMPT_NAME, KIND_CLIENT, slots[attempt + 6] as number, attemptEnd)
      this.intAttribute(CHANNEL_ID, slots[attempt + 2] as number)
      this.textAttribute(CHANNEL_TYPE, text(slots[attempt + 3] as number) ?? '')
      this.textAttribute(UPSTREAM_MODEL, text(slots[attempt + 4] as number) ?? '')
      this.intAttribute(ATTEMPT, slots[attempt + 5] as number)
      if (!Number.isNaN(slots[attempt + 8])) this.intAttribute(STATUS_CODE, slots[attempt + 8] as number)
      this.tail(span, text(slots[attempt + 9] as number))
    }
    if (settled) {
      span = this.head(null, rootId, FLAGS_LOCAL_PARENT, SETTLEMENT, KIND_INTERNAL, settlement.start, settlement.end)
      if (settlementError === undefined && !Number.isNaN(settlement.quota)) {
        this.intAttribute(INPUT_TOKENS, Number.isNaN(settlement.inputTokens) ? 0 : settlement.inputTokens)
        this.intAttribute(OUTPUT_TOKENS, Number.isNaN(settlement.outputTokens) ? 0 : settlement.outputTokens)
        this.intAttribute(QUOTA, settlement.quota)
        this.textAttribute(OUTCOME, settlement.outcome ?? '')
      }
      this.tail(span, settlementError)
    }
    return attempt
  }

  /** The request span's `first token` event: its time (fixed64) and name. */
  private firstTokenEvent(micros: number): void {
    const eventLength = 9 + 1 + varintSize(FIRST_TOKEN.length) + FIRST_TOKEN.length
    this.reserve(eventLength + 6)
    this.byte(SPAN_EVENT)
    this.varint(eventLength)
    this.byte(EVENT_TIME)
    this.nanos(micros)
    this.delimited(EVENT_NAME, FIRST_TOKEN)
  }

  /** The finished body: the request, resource and scope headers written just before the spans. */
  body(): Uint8Array<ArrayBuffer> {
    const spansLength = this.length - this.spansAt
    const scopeSpansLength = this.scopeField.length + spansLength
    const resourceSpansLength = this.resourceField.length + 1 + varintSize(scopeSpansLength) + scopeSpansLength
    const header = Uint8Array.of(
      REQUEST_RESOURCE_SPANS,
      ...varint(resourceSpansLength),
      ...this.resourceField,
      RESOURCE_SPANS_SCOPE_SPANS,
      ...varint(scopeSpansLength),
      ...this.scopeField,
    )
    const from = this.spansAt - header.length
    this.bytes.set(header, from)
    return this.bytes.subarray(from, this.length)
  }

  /** Room for `count` more bytes. */
  private reserve(count: number): void {
    if (this.length + count <= this.bytes.length) return
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + count))
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes = grown
  }

  /** One byte (room reserved by the caller). */
  private byte(value: number): void {
    this.bytes[this.length++] = value
  }

  /** A varint of a non-negative whole number below 2^53 (room reserved by the caller). */
  private varint(value: number): void {
    const bytes = this.bytes
    while (value >= 128) {
      bytes[this.length++] = (value % 128) | 0x80
      value = Math.floor(value / 128)
    }
    bytes[this.length++] = value
  }

  /** A length-delimited field: tag, length, bytes. */
  private delimited(fieldTag: number, value: Uint8Array): void {
    this.reserve(value.length + 6)
    this.bytes[this.length++] = fieldTag
    this.varint(value.length)
    this.copy(value)
  }

  /** Bytes copied in a loop (TypedArray.set costs more than it copies for pieces this small); room reserved by the caller. */
  private copy(value: Uint8Array): void {
    const bytes = this.bytes
    let at = this.length
    for (let index = 0; index < value.length; index++) bytes[at++] = value[index] as number
    this.length = at
  }

  /** Record microseconds as epoch nanoseconds, fixed64 (room reserved by the caller). */
  private nanos(micros: number): void {
    this.length = writeNanos(this.bytes, this.length, this.originMicros + micros)
  }

  /** Eight random bytes into `target`, never all zeros (W3C forbids it). */
  private randomInto(target: Uint8Array): void {
    const random = this.random
    for (;;) {
      if (random.used + 8 > random.bytes.length) {
        random.fill(random.bytes)
        random.used = 0
      }
      let zero = true
      for (let index = 0; index < 8; index++) {
        const byte = random.bytes[random.used++] as number
        if (byte !== 0) zero = false
        target[index] = byte
      }
      if (!zero) return
    }
  }

  /**
   * Opens a span (ScopeSpans.spans) and writes its fixed fields; returns where its body starts, for
   * tail(). `spanId` null draws a random one. Positional arguments and a local write position: this
   * runs five times per traced request.
   */
  private head(spanId: Uint8Array | null, parentSpanId: Uint8Array | null, flags: number, name: Uint8Array, kind: number, start: number, end: number): number {
    this.spans++
    this.reserve(80 + name.length)
    if (spanId === null) {
      this.randomInto(this.spanId)
      spanId = this.spanId
    }
    const bytes = this.bytes
    let at = this.length
    bytes[at] = SCOPE_SPANS_SPAN
    // Two bytes for the span's length, fixed up by tail().
    at += 3
    const body = at
    bytes[at++] = SPAN_TRACE_ID
    bytes[at++] = 16
    const traceId = this.traceId
    for (let index = 0; index < 16; index++) bytes[at++] = traceId[index] as number
    bytes[at++] = SPAN_SPAN_ID
    bytes[at++] = 8
    for (let index = 0; index < 8; index++) bytes[at++] = spanId[index] as number
    if (parentSpanId) {
      bytes[at++] = SPAN_PARENT_ID
      bytes[at++] = 8
      for (let index = 0; index < 8; index++) bytes[at++] = parentSpanId[index] as number
    }
    bytes[at++] = SPAN_FLAGS[0]
    bytes[at++] = SPAN_FLAGS[1]
    at = writeUint32(bytes, at, flags)
    bytes[at++] = SPAN_NAME
    this.length = at
    this.varint(name.length)
    at = this.length
    for (let index = 0; index < name.length; index++) bytes[at++] = name[index] as number
    bytes[at++] = SPAN_KIND
    bytes[at++] = kind
    bytes[at++] = SPAN_START
    at = writeNanos(bytes, at, this.originMicros + start)
    bytes[at++] = SPAN_END
    at = writeNanos(bytes, at, this.originMicros + Math.max(end, start))
    this.length = at
    return body
  }

  /** Closes the span begun at `at`: its error status, if any, then its length prefix. */
  private tail(at: number, error: string | undefined): void {
    if (error !== undefined) {
      const message = textBytes(error)
      const statusLength = 1 + varintSize(message.length) + message.length + 2
      this.reserve(statusLength + 6)
      this.byte(SPAN_STATUS)
      this.varint(statusLength)
      this.delimited(STATUS_MESSAGE, message)
      this.byte(STATUS_CODE_ERROR[0])
      this.byte(STATUS_CODE_ERROR[1])
    }
    const spanLength = this.length - at
    const bytes = this.bytes
    if (spanLength < 128) {
      // One length byte is enough: move the span back over the spare one.
      bytes.copyWithin(at - 1, at, this.length)
      bytes[at - 2] = spanLength
      this.length--
    } else if (spanLength < 16_384) {
      bytes[at - 2] = (spanLength % 128) | 0x80
      bytes[at - 1] = spanLength >> 7
    } else {
      const extra = varintSize(spanLength) - 2
      this.reserve(extra)
      this.bytes.copyWithin(at + extra, at, this.length)
      const end = this.length + extra
      this.length = at - 2
      this.varint(spanLength)
      this.length = end
    }
  }

  /** A KeyValue with a text value; one-byte lengths take a short path (keys and most values are short). */
  private textAttribute(prefix: Uint8Array, value: string): void {
    const text = textBytes(value)
    const anyLength = 2 + text.length
    const keyValueLength = prefix.length + 1 + anyLength
    if (keyValueLength >= 128) {
      this.keyValue(prefix, 1 + varintSize(text.length) + text.length, text.length + 6)
      this.delimited(ANY_STRING, text)
      return
    }
    this.reserve(keyValueLength + 2)
    const bytes = this.bytes
    let at = this.length
    bytes[at++] = SPAN_ATTRIBUTE
    bytes[at++] = keyValueLength
    for (let index = 0; index < prefix.length; index++) bytes[at++] = prefix[index] as number
    bytes[at++] = anyLength
    bytes[at++] = ANY_STRING
    bytes[at++] = text.length
    for (let index = 0; index < text.length; index++) bytes[at++] = text[index] as number
    this.length = at
  }

  /** A KeyValue with a whole-number value (others are rounded; negatives as int64's ten bytes). */
  private intAttribute(prefix: Uint8Array, value: number): void {
    const whole = Number.isFinite(value) ? Math.round(value) : 0
    const safe = whole >= 0 && whole <= Number.MAX_SAFE_INTEGER
    const twos = safe ? undefined : BigInt.asUintN(64, BigInt(whole))
    const size = twos === undefined ? varintSize(whole) : bigVarint(twos).length
    this.keyValue(prefix, 1 + size, size + 1)
    this.byte(ANY_INT)
    if (twos === undefined) this.varint(whole)
    else this.copy(bigVarint(twos))
  }

  /** A KeyValue with a boolean value. */
  private boolAttribute(prefix: Uint8Array, value: boolean): void {
    this.keyValue(prefix, 2, 2)
    this.byte(ANY_BOOL)
    this.byte(value ? 1 : 0)
  }

  /** A KeyValue's tag, length, key and value tag and length; its AnyValue (`room` bytes at most) follows. */
  private keyValue(prefix: Uint8Array, anyLength: number, room: number): void {
    const keyValueLength = prefix.length + varintSize(anyLength) + anyLength
    this.reserve(prefix.length + 16 + room)
    this.byte(SPAN_ATTRIBUTE)
    this.varint(keyValueLength)
    this.copy(prefix)
    this.varint(anyLength)
  }
}

/** Epoch microseconds as nanoseconds, fixed64 little-endian, exact (no float past 2^53); returns the position after. */
function writeNanos(bytes: Uint8Array, at: number, epochMicros: number): number {
  const high = Math.floor(epochMicros / TWO_32)
  const lowNanos = (epochMicros - high * TWO_32) * 1000
  const carry = Math.floor(lowNanos / TWO_32)
  return writeUint32(bytes, writeUint32(bytes, at, lowNanos - carry * TWO_32), high * 1000 + carry)
}

/** Four bytes, little-endian; returns the position after. */
function writeUint32(bytes: Uint8Array, at: number, value: number): number {
  bytes[at] = value & 0xff
  bytes[at + 1] = (value >>> 8) & 0xff
  bytes[at + 2] = (value >>> 16) & 0xff
  bytes[at + 3] = (value >>> 24) & 0xff
  return at + 4
}

/** `count` 32-bit words from `slots` at `from` into bytes, big-endian (an id's hex reads the same). */
function wordsInto(slots: Float64Array, from: number, count: number, target: Uint8Array): void {
  for (let word = 0; word < count; word++) {
    const value = slots[from + word] as number
    target[word * 4] = value >>> 24
    target[word * 4 + 1] = (value >>> 16) & 0xff
    target[word * 4 + 2] = (value >>> 8) & 0xff
    target[word * 4 + 3] = value & 0xff
  }
}

/** A varint's bytes (fixed pieces, built once). */
function varint(value: number): number[] {
  const bytes: number[] = []
  while (value >= 128) {
    bytes.push((value % 128) | 0x80)
    value = Math.floor(value / 128)
  }
  bytes.push(value)
  return bytes
}

/** A 64-bit varint's bytes (a negative int64, as two's complement). */
function bigVarint(value: bigint): Uint8Array {
  const bytes: number[] = []
  while (value >= 128n) {
    bytes.push(Number(value & 127n) | 0x80)
    value >>= 7n
  }
  bytes.push(Number(value))
  return Uint8Array.from(bytes)
}

/** A length-delimited field's bytes (fixed pieces, built once). */
function lengthDelimited(fieldTag: number, value: Uint8Array): Uint8Array {
  return Uint8Array.of(fieldTag, ...varint(value.length), ...value)
}
