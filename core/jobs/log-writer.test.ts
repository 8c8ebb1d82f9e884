import { describe, expect, test } from 'bun:test'
import type { BatchMessage, BatchResult } from './batch-sql.ts'
import { createLogWriter } from './log-writer.ts'

// How often the group commit reaches the database when calls are sparse. Each transaction costs the
// database's thread far more than a row does (~1.5 ms of the embedded database's CPU at a time), and a
// sequential client's calls then waited for that thread's CPU on a small machine: the first row of a
// quiet spell waits for company (20 ms) before its batch is written.

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
  test('sparse rows (one every 2 ms) are written a few transactions at a time, none lost', async () => {
    const { target, batches } = recordingTarget(1)
    const writer = createLogWriter(target)
    for (let row = 0; row < 30; row++) {
      writer.write({ type: 'consume', requestId: `req-${row}`, quota: 0 })
      await Bun.sleep(2)
    }
    await writer.close()
    expect(batches.reduce((sum, rows) => sum + rows, 0)).toBe(30)
    // ~60 ms of rows: about three batches at a 20 ms gather (a 5 ms gather made ten or more).
    expect(batches.length).toBeLessThanOrEqual(5)
  })

  test('a flush writes at once, without waiting for company', async () => {
    const { target, batches } = recordingTarget(0)
    const writer = createLogWriter(target)
    writer.write({ type: 'consume', requestId: 'req-alone', quota: 0 })
    const startedAt = performance.now()
    await writer.flush()
    expect(performance.now() - startedAt).toBeLessThan(15)
    expect(batches).toEqual([1])
    await writer.close()
  })
})
