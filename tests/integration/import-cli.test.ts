import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildLegacySource, legacyRows, privatePostgresDatabase, type LegacySource } from '../support/legacy-databases.ts'

// `bun scripts/import.ts` (what `npm run import` runs) as an operator uses it: dry run, --apply,
// and a repeated --apply, against the gateway database named by the same environment the gateway reads.

const ROOT = join(import.meta.dir, '..', '..')

describe('npm run import (scripts/import.ts)', () => {
  let source: LegacySource
  let dataDir: string
  let env: Record<string, string>
  let targetDatabase: Awaited<ReturnType<typeof privatePostgresDatabase>>

  beforeAll(async () => {
    source = await buildLegacySource('new-api', 'sqlite', (await legacyRows('new-api', 'http://127.0.0.1:9')).rows)
    dataDir = mkdtempSync(join(tmpdir(), 'import-cli-'))
    // PostgreSQL (a database of its own) when the test server is there, else PGlite in DATA_DIR.
    targetDatabase = await privatePostgresDatabase('import_cli')
    const databaseUrl = targetDatabase?.url
    env = {
      ...(process.env as Record<string, string>),
      CRYPTO_SECRET: 'import-cli-secret-0123456789',
      LOG_LEVEL: 'error',
      DATA_DIR: dataDir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    }
    delete env.REDIS_URL
  })
  afterAll(async () => {
    await source?.drop()
    await targetDatabase?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const importer = (...args: string[]) => {
    const result = Bun.spawnSync([process.execPath, 'scripts/import.ts', ...args], { cwd: ROOT, env, stdout: 'pipe', stderr: 'pipe' })
    return { code: result.exitCode, out: result.stdout.toString(), err: result.stderr.toString() }
  }

  test('dry run, apply, and a second apply that adds nothing', () => {
    const dry = importer('--from', source.from)
    expect(dry.err).toBe('')
    expect(dry.code).toBe(0)
    expect(dry.out).toContain('Dry run (nothing written; add --apply to write): new-api database on sqlite')
    expect(dry.out).toMatch(/channels\s+6\s+4\s+0\s+2/)
    expect(dry.out).toContain('channels: channel type 15 (Baidu) has no equivalent here (1: ernie)')
    expect(dry.out).toMatch(/top_ups\s+2\s+2\s+0\s+0/)

    const applied = importer('--from', source.from, '--apply', '--with-logs')
    expect(applied.code).toBe(0)
    expect(applied.out).toContain('Imported: new-api database on sqlite')
    // A gateway that never started has no root yet: the source's root becomes it (with its password).
    expect(applied.out).toMatch(/users\s+5\s+4\s+0\s+1/)
    expect(applied.out).toMatch(/logs\s+3\s+3\s+0\s+0/)

    const again = importer('--from', source.from, '--apply', '--with-logs')
    expect(again.code).toBe(0)
    expect(again.out).toContain('Nothing to add: everything in the source is already here.')
    expect(again.out).toMatch(/users\s+5\s+0\s+4\s+1/)
  }, 120_000)

  test('bad input gets a clear message and exit code', () => {
    expect(importer()).toMatchObject({ code: 2, err: expect.stringContaining('--from is required') })
    expect(importer('--from', '/nonexistent/one-api.db')).toMatchObject({ code: 1, err: expect.stringContaining('no SQLite file at /nonexistent/one-api.db') })
    expect(importer('--from', 'redis://127.0.0.1:1')).toMatchObject({ code: 1, err: expect.stringContaining('unsupported URL scheme') })
  }, 60_000)
})
