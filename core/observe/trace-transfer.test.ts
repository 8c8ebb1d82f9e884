import { describe, expect, test } from 'bun:test'
import type { TraceRecord } from './trace-record.ts'
import { failedOverRecord, settledRecord } from './trace-test-records.ts'
import { TraceRecordPacker, TraceRecordUnpacker } from './trace-transfer.ts'

// Records cross to the export worker packed as numbers with a shared text table: what the worker
// unpacks must be exactly what the relay thread recorded, absent fields absent, across batches and
// after the text table starts over.

const full = failedOverRecord()

/** A settled call with zero input tokens (kept, not taken for absent) and an outcome text new to the table each time. */
function bare(index: number): TraceRecord {
  const record = settledRecord(index)
  return { ...record, settlement: { ...record.settlement!, inputTokens: 0, outcome: `outcome ${index}` } }
}

describe('trace record transfer', () => {
  test('records unpack as they were packed, batch after batch, and the text table survives starting over', () => {
    const packer = new TraceRecordPacker(8) // a small start, so the slots grow
    const unpacker = new TraceRecordUnpacker()
    const first = [full, bare(1), { ...full, traceId: 'f'.repeat(32), stream: false }]
    for (const record of first) packer.add(record)
    expect(unpacker.unpack(packer.take()!)).toEqual(first)
    expect(packer.take()).toBeUndefined()
    // Texts the worker has already seen are not sent again.
    packer.add(full)
    const again = packer.take()!
    expect(again.texts).toEqual([])
    expect(unpacker.unpack(again)).toEqual([full])
    // 5,000 new texts fill the table: the batch after them starts both tables over.
    const many = Array.from({ length: 5_000 }, (_, index) => bare(index + 10))
    for (const record of many) packer.add(record)
    expect(unpacker.unpack(packer.take()!)).toEqual(many)
    packer.add(bare(99_999))
    packer.add(full)
    const reset = packer.take()!
    expect(reset.resetTexts).toBe(true)
    expect(unpacker.unpack(reset)).toEqual([bare(99_999), full])
  })
})
