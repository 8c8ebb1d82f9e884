import { describe, expect, test } from 'bun:test'
import type { TraceRecord } from './trace-record.ts'
import { TraceRecordPacker, TraceRecordUnpacker } from './trace-transfer.ts'

// Records cross to the export worker packed as numbers with a shared text table: what the worker
// unpacks must be exactly what the relay thread recorded, absent fields absent, across batches and
// after the text table starts over.

/** A streamed call that failed over once, with a client parent and a failed settlement. */
const full: TraceRecord = {
  route: '/v1/chat/completions',
  dialect: 'openai.chat',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  parentSpanId: '00f067aa0ba902b7',
  start: 10,
  authEnd: 250,
  admissionStart: 250,
  admissionEnd: 400,
  model: 'gpt-4o-mini',
  stream: false,
  attempts: [
    {
      spanId: 'ffffffff00000001',
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

/** An unauthenticated call: no parent, no admission, no attempt, no settlement. */
const bare = (index: number): TraceRecord => ({
  route: '/v1/messages',
  dialect: 'claude.messages',
  traceId: index.toString(16).padStart(32, '0'),
  start: index,
  authEnd: index + 1,
  attempts: [],
  settlement: { start: index + 2, end: index + 3, inputTokens: 0, outputTokens: 34, quota: 2 ** 40, outcome: `outcome ${index}` },
  status: 401,
  code: 'invalid_api_key',
  end: index + 4,
})

describe('trace record transfer', () => {
  test('records unpack as they were packed, batch after batch, and the text table survives starting over', () => {
    const packer = new TraceRecordPacker(8) // a small start, so the slots grow
    const unpacker = new TraceRecordUnpacker()
    const first = [full, bare(1), { ...full, traceId: 'f'.repeat(32), stream: true }]
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
