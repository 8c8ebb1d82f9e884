import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { openDatabase, queryRows } from './client.ts'

// Crash safety of the embedded database on its worker thread: a process SIGKILLed in the middle of a
// write load leaves a directory that opens again (Postgres crash recovery) and holds every transaction
// whose commit had returned, and no part of any other.

const WRITER = fileURLToPath(new URL('./__fixtures__/crash-writer.ts', import.meta.url))
const ROWS_PER_BATCH = 20

/** Runs the writer until it has reported `commits` commits, SIGKILLs it soon after, and returns every batch it reported. */
async function writeUntilKilled(dataDir: string, firstBatch: number, commits: number): Promise<number[]> {
  const child = Bun.spawn([process.execPath, WRITER, dataDir, String(firstBatch)], { stdout: 'pipe', stderr: 'pipe' })
  const reported: number[] = []
  const decoder = new TextDecoder()
  const reader = child.stdout.getReader()
  let pending = ''
  let killed = false
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    pending += decoder.decode(chunk.value, { stream: true })
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) if (/^\d+$/.test(line)) reported.push(Number(line))
    if (!killed && reported.length >= commits) {
      // A little later, at no particular point: inside a transaction, between commit and print, in a checkpoint.
      setTimeout(() => child.kill('SIGKILL'), Math.random() * 30)
      killed = true
    }
  }
  const exitCode = await child.exited
  if (!killed) throw new Error(`the writer stopped by itself (exit ${exitCode}): ${await new Response(child.stderr).text()}`)
  expect(child.signalCode).toBe('SIGKILL')
  return reported
}

describe('embedded database after SIGKILL', () => {
  test('reopens and holds every committed transaction, whole, twice over', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pglite-crash-'))
    try {
      let firstBatch = 1
      for (let round = 0; round < 2; round += 1) {
        const reported = await writeUntilKilled(dataDir, firstBatch, 60)
        const database = await openDatabase({ dataDir })
        const batches = queryRows<{ batch: number; rows: number }>(
          await database.db.execute(sql`select batch, count(*)::int as rows from crash_rows group by batch order by batch`),
        )
        await database.close()
        const rowsByBatch = new Map(batches.map((row) => [row.batch, row.rows]))
        expect(reported.filter((batch) => rowsByBatch.get(batch) !== ROWS_PER_BATCH)).toEqual([])
        expect(batches.filter((row) => row.rows !== ROWS_PER_BATCH)).toEqual([])
        // At most the one commit the kill cut off before it could be reported.
        const last = Math.max(...reported)
        expect(batches.filter((row) => row.batch > last).length).toBeLessThanOrEqual(1)
        firstBatch = Math.max(...batches.map((row) => row.batch)) + 1
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 60_000)
})
