import { describe, expect, test } from 'bun:test'
import type { BatchMessage, BatchResult } from './batch-sql.ts'
import { createLogWriter } from './log-writer.ts'

// How often the group commit reaches the database when calls are sparse, with `gatherMs` (PostgreSQL: the
// driver writes each batch on the event loop, so each transaction's work lands between the calls). Without
// it, a batch followed the last one at once whenever a row had come meanwhile: a sequential client's calls
// were committed one or two at a time.

/** A database that takes `writeMs` per transaction and remembers each batch's row count. */
function recordingTarget(writeMs: number) {
  const batches: number[] = []
  const target = async (message: BatchMessage): Promise<BatchResult> => {
    await Bun.sleep(writeMs)
    const rows = message.rows === '' ? 0 : (JSON.parse(message.rows) as unknown[]).length
    batches.push(rows)
    return { accounts: [], rows }
  }
  return { target, batches }
}

describe('log writer group commit', () => {
  test('with gatherMs, sparse rows (one every 2 ms) are written a few transactions at a time, none lost', async () => {
    const { target, batches } = recordingTarget(1)
    const writer = createLogWriter(target, { gatherMs: 20 })
    for (let row = 0; row < 30; row++) {
      writer.write({ type: 'consume', requestId: `req-${row}`, quota: 0 })
      await Bun.sleep(2)
    }
    await writer.close()
    expect(batches.reduce((sum, rows) => sum + rows, 0)).toBe(30)
    // ~60-80 ms of rows: three or four batches (17 without gatherMs).
    expect(batches.length).toBeLessThanOrEqual(5)
  })

  test('with gatherMs, a flush writes at once, without waiting for company', async () => {
    const { target, batches } = recordingTarget(0)
    const writer = createLogWriter(target, { gatherMs: 20 })
    writer.write({ type: 'consume', requestId: 'req-alone', quota: 0 })
    const startedAt = performance.now()
    await writer.flush()
    expect(performance.now() - startedAt).toBeLessThan(15)
    expect(batches).toEqual([1])
    await writer.close()
  })
})
