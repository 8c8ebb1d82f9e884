import { afterEach, describe, expect, test } from 'bun:test'
import { appendFileSync, closeSync, mkdtempSync, openSync, readdirSync, rmSync, unlinkSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GatewayError } from '../errors.ts'
import { openFileJournal } from './file-journal.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hanggent-journal-'))
  dirs.push(dir)
  return dir
}

const charge = (requestId: string, charged: number) => ({
  payer: { userId: 1, tokenId: 2, unlimited: false },
  charged,
  log: { type: 'consume' as const, requestId, quota: charged, createdAt: new Date('2026-12-06T05:00:00.000Z'), details: { priced: charged } },
})

describe('file journal', () => {
  test('entries written before a crash (no close) are all read back by the next run, in order', async () => {
    const dir = freshDir()
    const { journal } = openFileJournal(dir, 0)
    const written = await Promise.all([journal.append(charge('a', 10)), journal.append(charge('b', 20)), journal.append(charge('c', 30))])
    expect(written.map((entry) => entry.position)).toEqual(['1', '2', '3'])
    const next = openFileJournal(dir, 0)
    expect(next.recovered.map((entry) => [entry.position, entry.log.requestId, entry.charged])).toEqual([
      ['1', 'a', 10],
      ['2', 'b', 20],
      ['3', 'c', 30],
    ])
    expect(next.recovered[0]!.log.createdAt).toEqual(new Date('2026-12-06T05:00:00.000Z'))
    expect(next.recovered[0]!.payer).toEqual({ userId: 1, tokenId: 2, unlimited: false })
    // Positions continue after what the files hold, never reusing one.
    expect((await next.journal.append(charge('d', 1))).position).toBe('4')
    await next.journal.close()
  })

  test('a line cut short by the crash is ignored; positions continue after what the database applied', async () => {
    const dir = freshDir()
    const { journal } = openFileJournal(dir, 41)
    expect((await journal.append(charge('whole', 5))).position).toBe('42')
    const [segment] = readdirSync(dir)
    appendFileSync(join(dir, segment!), '{"p":"43","u":1,"t":2,"f":0,"c":7,"l":{"ty')
    const next = openFileJournal(dir, 41)
    expect(next.recovered.map((entry) => entry.log.requestId)).toEqual(['whole'])
    expect((await next.journal.append(charge('after', 1))).position).toBe('43')
    await next.journal.close()
  })

  test('segments whose entries are all committed are deleted; the one being written stays', async () => {
    const dir = freshDir()
    const { journal } = openFileJournal(dir, 0, () => {}, 200)
    for (let index = 0; index < 6; index++) await journal.append(charge(`r${index}`, index))
    expect(readdirSync(dir).length).toBeGreaterThan(2)
    journal.release('6')
    expect(readdirSync(dir).length).toBe(1)
    const next = openFileJournal(dir, 6)
    expect(next.recovered.every((entry) => Number(entry.position) <= 6)).toBe(true)
    await journal.close()
    await next.journal.close()
  })
})

// A full disk, for real: a 1 MiB tmpfs (mounting needs root; CI runs as root, elsewhere this is skipped).
describe.skipIf(process.getuid?.() !== 0)('file journal on a full disk', () => {
  test('refused entries are a 503 saying the disk is full and leave nothing behind; the next entry reads back whole', async () => {
    const dir = freshDir()
    const mounted = Bun.spawnSync(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir])
    if (mounted.exitCode !== 0) throw new Error(`mount -t tmpfs refused: ${mounted.stderr.toString()}`)
    try {
      const { journal } = openFileJournal(join(dir, 'ledger'), 0)
      await journal.append(charge('first', 1))
      const filler = join(dir, 'filler')
      const fd = openSync(filler, 'w')
      for (const size of [65536, 4096]) {
        const block = Buffer.alloc(size, 1)
        for (;;) {
          try {
            writeSync(fd, block)
          } catch {
            break
          }
        }
      }
      closeSync(fd)
      // One batch larger than what is left in the journal's last page: the kernel writes part of it.
      const refused = await Promise.allSettled(Array.from({ length: 4 }, (_, index) => journal.append(charge(`big-${index}-${'x'.repeat(3000)}`, 5))))
      expect(refused.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected'])
      const error = (refused[0] as PromiseRejectedResult).reason as GatewayError
      expect(error).toBeInstanceOf(GatewayError)
      expect([error.status, error.code]).toEqual([503, 'billing_unavailable'])
      expect(error.message).toContain('disk full')
      unlinkSync(filler)
      await journal.append(charge('after', 2))
      // A crash now (no close): the next run reads the two accepted entries, nothing of the refused ones.
      const next = openFileJournal(join(dir, 'ledger'), 0)
      expect(next.recovered.map((entry) => [entry.log.requestId, entry.charged])).toEqual([
        ['first', 1],
        ['after', 2],
      ])
      await Promise.all([journal.close(), next.journal.close()])
    } finally {
      Bun.spawnSync(['umount', '-l', dir])
    }
  })
})
