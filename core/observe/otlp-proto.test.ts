import { describe, expect, test } from 'bun:test'
import { decodeOtlpProto } from '../../tests/support/otlp-proto-decode.ts'
import { OtlpJsonBatch, type OtlpOrigin } from './otlp-json.ts'
import { OtlpProtoBatch } from './otlp-proto.ts'
import type { TraceRecord } from './trace-record.ts'
import { failedOverRecord, settledRecord } from './trace-test-records.ts'
import { TraceRecordPacker, TraceRecordUnpacker } from './trace-transfer.ts'

// The OTLP/HTTP protobuf body must carry exactly what the JSON body does (otlp-json.test.ts pins the
// JSON down field by field): the same records, written both ways with the same random ids, decode to
// the same ExportTraceServiceRequest. The decoder (tests/support) reads the wire by the .proto's field
// numbers, independently of the encoder.
// see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto

/** Randomness that repeats, so both encodings draw the same span ids. */
function origin(): OtlpOrigin {
  let next = 0
  return {
    serviceName: 'gateway "eu"',
    version: '1.2.3',
    timeOriginMicros: 1_796_563_200_123_456,
    fillRandom: (bytes) => {
      for (let index = 0; index < bytes.length; index++) bytes[index] = (next++ * 151 + 7) % 256
    },
  }
}

const failedOver = failedOverRecord()

/** A settled call after a failed attempt: a negative and a fractional number, a quota past 2^32, a 429 with its code, a message past a two-byte length. */
function settled(index: number): TraceRecord {
  const record = settledRecord(index)
  return {
    ...record,
    attempts: [
      {
        spanId: 'ab'.repeat(8),
        channelId: -3,
        channelType: 'claude',
        upstreamModel: 'claude-x',
        index: 1,
        start: index + 1,
        end: index + 2,
        status: 400,
        error: 'x'.repeat(20_000),
      },
    ],
    settlement: { ...record.settlement!, inputTokens: 12.6, outputTokens: 300_000, quota: 2 ** 40 },
    status: 429,
    code: 'rate_limited',
  }
}

/** Writes records as the export worker does: packed on the relay thread, read in place (the packer's and unpacker's text tables carry over between calls). */
function writePacked(batch: OtlpProtoBatch, records: TraceRecord[], packer = new TraceRecordPacker(), unpacker = new TraceRecordUnpacker()): void {
  for (const record of records) packer.add(record)
  const packed = packer.take()!
  unpacker.learn(packed)
  for (let at = 0; at < packed.length; ) at = batch.addPacked(packed.numbers, at, (slot) => unpacker.text(slot))
}

describe('OTLP protobuf batch', () => {
  test('decodes to the same request as the JSON body, span for span (ids, flags, kinds, times, attributes, events, statuses)', () => {
    const records = [failedOver, settled(1), settled(2)]
    const json = new OtlpJsonBatch(origin())
    for (const record of records) json.add(record)
    const proto = new OtlpProtoBatch(origin(), new Uint8Array(64)) // a small start, so the buffer grows
    writePacked(proto, records)
    expect(proto.spans).toBe(json.spans)
    const expected = JSON.parse(new TextDecoder().decode(json.body()))
    const body = proto.body()
    expect(decodeOtlpProto(body)).toEqual(expected)
    // Raw ids and fixed64 times make it much smaller than the JSON (the 20 kB messages aside).
    expect(body.length).toBeLessThan(json.body().length)
  })

  test('a batch written into a sent batch’s buffer carries only its own spans', () => {
    const first = new OtlpProtoBatch(origin())
    writePacked(
      first,
      Array.from({ length: 200 }, (_, index) => settled(index)),
    )
    expect(decodeOtlpProto(first.body()).resourceSpans[0]?.scopeSpans[0]?.spans).toHaveLength(200 * 4)
    const next = new OtlpProtoBatch(origin(), first.buffer)
    writePacked(next, [failedOver])
    const spans = decodeOtlpProto(next.body()).resourceSpans[0]?.scopeSpans[0]?.spans ?? []
    expect(spans.map((span) => span.name)).toEqual(['relay /v1/chat/completions', 'auth', 'admission', 'upstream attempt', 'upstream attempt', 'settlement'])
  })

  test('as the worker writes each encoding from the same packed batches (the second reusing texts the worker holds), protobuf in place decodes to the JSON of the unpacked records', () => {
    const records = [failedOver, settled(1), { ...failedOver, parentSpanId: undefined, stream: false, firstToken: undefined, settlement: undefined }]
    const packer = new TraceRecordPacker()
    // Each encoding's worker keeps its own text table.
    const protoTexts = new TraceRecordUnpacker()
    const jsonUnpacker = new TraceRecordUnpacker()
    const proto = new OtlpProtoBatch(origin())
    const json = new OtlpJsonBatch(origin())
    for (let batch = 0; batch < 2; batch++) {
      for (const record of records) packer.add(record)
      const packed = packer.take()!
      expect(packed.texts.length > 0).toBe(batch === 0)
      protoTexts.learn(packed)
      for (let at = 0; at < packed.length; ) at = proto.addPacked(packed.numbers, at, (slot) => protoTexts.text(slot))
      for (const record of jsonUnpacker.unpack(packed)) json.add(record)
    }
    expect(proto.spans).toBe(json.spans)
    expect(decodeOtlpProto(proto.body())).toEqual(JSON.parse(new TextDecoder().decode(json.body())))
  })
})
