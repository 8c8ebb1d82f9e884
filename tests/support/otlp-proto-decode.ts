// Decodes an OTLP/HTTP trace export (ExportTraceServiceRequest) sent as protobuf into the shape the
// OTLP JSON encoding gives it (ids as hex, times as decimal strings, enums as numbers, absent fields
// absent), so test collectors check the same spans whichever protocol the gateway speaks. Only the
// fields the gateway writes are read; others are skipped by wire type.
// see https://protobuf.dev/programming-guides/encoding/
// see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
// see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/common/v1/common.proto

/** An AnyValue as OTLP JSON spells it (int64 as a number here, as the gateway's JSON writes it). */
export interface DecodedValue {
  stringValue?: string
  boolValue?: boolean
  intValue?: number
  doubleValue?: number
}

/** A KeyValue. */
export interface DecodedAttribute {
  key: string
  value: DecodedValue
}

/** A span as OTLP JSON spells it. */
export interface DecodedSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  flags?: number
  name: string
  kind: number
  startTimeUnixNano: string
  endTimeUnixNano: string
  attributes: DecodedAttribute[]
  events?: Array<{ name: string; timeUnixNano: string }>
  status?: { code?: number; message?: string }
}

/** An ExportTraceServiceRequest as OTLP JSON spells it. */
export interface DecodedExport {
  resourceSpans: Array<{
    resource: { attributes: DecodedAttribute[] }
    scopeSpans: Array<{ scope: { name?: string; version?: string }; spans: DecodedSpan[] }>
  }>
}

/** One field read from a message: its number, wire type and value (varints and fixed64 as bigint, fixed32 as a number, length-delimited as bytes). */
type Field = { field: number; wireType: number; value: bigint | number | Uint8Array }

const utf8 = new TextDecoder('utf-8', { fatal: true })
const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')

/** The fields of one message, in order; throws on a truncated or malformed body. */
function messageOf(bytes: Uint8Array): Field[] {
  const fields: Field[] = []
  let at = 0
  const readVarint = (): bigint => {
    let value = 0n
    for (let shift = 0n; ; shift += 7n) {
      if (at >= bytes.length || shift > 63n) throw new Error('truncated or overlong varint')
      const byte = bytes[at++] as number
      value |= BigInt(byte & 0x7f) << shift
      if (byte < 0x80) return value
    }
  }
  const take = (count: number): Uint8Array => {
    if (at + count > bytes.length) throw new Error('field runs past the end of its message')
    const slice = bytes.subarray(at, at + count)
    at += count
    return slice
  }
  while (at < bytes.length) {
    const key = Number(readVarint())
    const field = key >>> 3
    const wireType = key & 7
    if (wireType === 0) fields.push({ field, wireType, value: readVarint() })
    else if (wireType === 1) fields.push({ field, wireType, value: new DataView(take(8).slice().buffer).getBigUint64(0, true) })
    else if (wireType === 2) fields.push({ field, wireType, value: take(Number(readVarint())) })
    else if (wireType === 5) fields.push({ field, wireType, value: new DataView(take(4).slice().buffer).getUint32(0, true) })
    else throw new Error(`unsupported wire type ${wireType}`)
  }
  return fields
}

const bytesOf = (field: Field): Uint8Array => (field.value instanceof Uint8Array ? field.value : new Uint8Array())
const textOf = (field: Field): string => utf8.decode(bytesOf(field))
/** A varint as int64 (two's complement), or a fixed32, as a number. */
const numberOf = (field: Field): number => (typeof field.value === 'bigint' ? Number(BigInt.asIntN(64, field.value)) : Number(field.value))

/** An AnyValue message. */
function anyValue(bytes: Uint8Array): DecodedValue {
  const value: DecodedValue = {}
  for (const field of messageOf(bytes)) {
    if (field.field === 1) value.stringValue = textOf(field)
    else if (field.field === 2) value.boolValue = numberOf(field) !== 0
    else if (field.field === 3) value.intValue = numberOf(field)
    else if (field.field === 4 && typeof field.value === 'bigint')
      value.doubleValue = new DataView(new BigUint64Array([field.value]).buffer).getFloat64(0, true)
  }
  return value
}

/** A KeyValue message. */
function attribute(bytes: Uint8Array): DecodedAttribute {
  let key = ''
  let value: DecodedValue = {}
  for (const field of messageOf(bytes)) {
    if (field.field === 1) key = textOf(field)
    else if (field.field === 2) value = anyValue(bytesOf(field))
  }
  return { key, value }
}

/** A Span message. */
function span(bytes: Uint8Array): DecodedSpan {
  const decoded: DecodedSpan = { traceId: '', spanId: '', name: '', kind: 0, startTimeUnixNano: '0', endTimeUnixNano: '0', attributes: [] }
  for (const field of messageOf(bytes)) {
    switch (field.field) {
      case 1:
        decoded.traceId = hex(bytesOf(field))
        break
      case 2:
        decoded.spanId = hex(bytesOf(field))
        break
      case 4:
        decoded.parentSpanId = hex(bytesOf(field))
        break
      case 5:
        decoded.name = textOf(field)
        break
      case 6:
        decoded.kind = numberOf(field)
        break
      case 7:
        decoded.startTimeUnixNano = String(field.value)
        break
      case 8:
        decoded.endTimeUnixNano = String(field.value)
        break
      case 9:
        decoded.attributes.push(attribute(bytesOf(field)))
        break
      case 11: {
        const event = { name: '', timeUnixNano: '0' }
        for (const part of messageOf(bytesOf(field))) {
          if (part.field === 1) event.timeUnixNano = String(part.value)
          else if (part.field === 2) event.name = textOf(part)
        }
        decoded.events = [...(decoded.events ?? []), event]
        break
      }
      case 15: {
        const status: { code?: number; message?: string } = {}
        for (const part of messageOf(bytesOf(field))) {
          if (part.field === 2) status.message = textOf(part)
          else if (part.field === 3) status.code = numberOf(part)
        }
        decoded.status = { code: status.code ?? 0, ...(status.message !== undefined ? { message: status.message } : {}) }
        break
      }
      case 16:
        decoded.flags = numberOf(field)
        break
    }
  }
  return decoded
}

/** Decodes a protobuf ExportTraceServiceRequest. */
export function decodeOtlpProto(body: Uint8Array): DecodedExport {
  const decoded: DecodedExport = { resourceSpans: [] }
  for (const resourceSpansField of messageOf(body)) {
    if (resourceSpansField.field !== 1) continue
    const resourceSpans: DecodedExport['resourceSpans'][number] = { resource: { attributes: [] }, scopeSpans: [] }
    for (const field of messageOf(bytesOf(resourceSpansField))) {
      if (field.field === 1) {
        for (const part of messageOf(bytesOf(field))) if (part.field === 1) resourceSpans.resource.attributes.push(attribute(bytesOf(part)))
      } else if (field.field === 2) {
        const scopeSpans: DecodedExport['resourceSpans'][number]['scopeSpans'][number] = { scope: {}, spans: [] }
        for (const part of messageOf(bytesOf(field))) {
          if (part.field === 1)
            for (const scopeField of messageOf(bytesOf(part))) {
              if (scopeField.field === 1) scopeSpans.scope.name = textOf(scopeField)
              else if (scopeField.field === 2) scopeSpans.scope.version = textOf(scopeField)
            }
          else if (part.field === 2) scopeSpans.spans.push(span(bytesOf(part)))
        }
        resourceSpans.scopeSpans.push(scopeSpans)
      }
    }
    decoded.resourceSpans.push(resourceSpans)
  }
  return decoded
}

/** An export body in either OTLP/HTTP encoding, by its content type, as OTLP JSON spells it; throws on any other type. */
export function decodeOtlpExport(contentType: string | null, body: Uint8Array): DecodedExport {
  if (contentType?.includes('application/x-protobuf')) return decodeOtlpProto(body)
  if (contentType?.includes('application/json')) return JSON.parse(new TextDecoder().decode(body)) as DecodedExport
  throw new Error(`not an OTLP/HTTP content type: ${contentType}`)
}
