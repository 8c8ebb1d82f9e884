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

describe('log writer and the file journal', () => {
  test('charges journaled over several turns reach the database once each, in order and intact, across split and retried batches', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { openFileJournal } = await import('../billing/file-journal.ts')
    const { readBatchMessage } = await import('./batch-sql.ts')
    const dir = mkdtempSync(join(tmpdir(), 'hanggent-writer-journal-'))
    const { journal } = openFileJournal(dir, 0)
    const received: Array<{ position: string; requestId: unknown; username: unknown }> = []
    let calls = 0
    const target = async (message: BatchMessage): Promise<BatchResult> => {
      calls += 1
      const { charges } = await readBatchMessage(message)
      // The second batch fails once: it is sent again, rebuilt from what the writer kept.
      if (calls === 2) throw new Error('database briefly away')
      for (const entry of charges) received.push({ position: entry.position, requestId: entry.log.requestId, username: entry.log.username })
      return { accounts: [], rows: 0 }
    }
    const writer = createLogWriter(target, { maxRows: 7, retryMs: 5 })
    const sink = { guarded: false, committed: () => {} }
    const expected: typeof received = []
    for (let turn = 0; turn < 4; turn++) {
      const drafts = Array.from({ length: 5 }, (_, index) => ({
        payer: { userId: 1, tokenId: 2, unlimited: false },
        charged: 10,
        log: { type: 'consume' as const, requestId: `req-${turn}-${index}`, username: `ünï ${turn}\n"${index}"`, quota: 10, createdAt: new Date() },
      }))
      const charges = await Promise.all(drafts.map((draft) => journal.append(draft)))
      for (const [index, charge] of charges.entries())
        expected.push({ position: charge.position, requestId: drafts[index]!.log.requestId, username: drafts[index]!.log.username })
      writer.commitCharges(sink, charges)
    }
    await writer.close()
    await journal.close()
    rmSync(dir, { recursive: true, force: true })
    expect(received).toEqual(expected)
  })
})
