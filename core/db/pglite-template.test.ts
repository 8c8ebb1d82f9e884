import { afterAll, describe, expect, test } from 'bun:test'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { createLogger, type Logger } from '../app-context.ts'
import { openDatabase, queryRows } from './client.ts'
import { embeddedStartParams } from './pglite-settings.ts'
import { DEFAULT_TEMPLATE_DIR, extractTemplate, findTemplate, installedPgliteVersion, readTar, templateFileName } from './pglite-template.ts'
import { openPgliteWorker } from './pglite-worker-client.ts'

// A gateway's first start on an empty data directory makes its cluster from the template `npm install`
// left (scripts/make-pglite-template.ts), not by initdb (~980 MB of RSS at the peak); a template made for
// another PGlite version is never picked, and one that does not unpack leaves nothing behind: initdb runs
// as before (each initdb costs this file 2.5-6 s, so only the damaged template pays one).

const scratch = mkdtempSync(join(tmpdir(), 'pglite-template-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** A logger that keeps each line's message (and template field) for the test to read. */
function recordingLogger(): { logger: Logger; messages: string[]; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const logger = createLogger('debug', (line) => lines.push(JSON.parse(line) as Record<string, unknown>))
  return {
    logger,
    lines,
    get messages() {
      return lines.map((line) => String(line.message))
    },
  }
}

/** Opens PGlite on a fresh directory with templates looked up in `templateDir`, checks it answers, and returns the log. */
async function firstOpen(name: string, templateDir: string): Promise<string[]> {
  const recorded = recordingLogger()
  // As openDatabase does: the data directory exists, its pglite folder not yet.
  mkdirSync(join(scratch, name))
  const client = await openPgliteWorker({ dataDir: join(scratch, name, 'pglite'), startParams: embeddedStartParams(), logger: recorded.logger, templateDir })
  try {
    expect((await client.query<{ answer: number }>('select 41 + 1 as answer')).rows).toEqual([{ answer: 42 }])
  } finally {
    await client.close()
  }
  return recorded.messages
}

describe('embedded database cluster template', () => {
  const installed = findTemplate(DEFAULT_TEMPLATE_DIR, installedPgliteVersion())

  test('npm install left a template for the installed PGlite, and a fresh data directory starts from it and serves', async () => {
    expect(installed).toBe(join(DEFAULT_TEMPLATE_DIR, templateFileName(installedPgliteVersion())))
    const recorded = recordingLogger()
    const dataDir = join(scratch, 'gateway-data')
    // What a start killed while unpacking leaves: removed by the next one.
    mkdirSync(join(dataDir, 'pglite.99999.partial', 'base'), { recursive: true })
    const started = performance.now()
    const database = await openDatabase({ dataDir, logger: recorded.logger })
    const openedMs = performance.now() - started
    try {
      const [users] = queryRows<{ count: number }>(await database.db.execute(sql`select count(*)::int as count from users`))
      expect(users).toEqual({ count: 0 })
    } finally {
      await database.close()
    }
    expect(recorded.lines.filter((line) => line.message === 'embedded database created from its template')).toEqual([
      expect.objectContaining({ template: installed }),
    ])
    expect(recorded.messages.some((message) => message.includes('initdb'))).toBe(false)
    expect(existsSync(join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true)
    // No staging directory left beside the cluster, this start's or an earlier one's.
    expect(readdirSync(dataDir).sort()).toEqual(['pglite'])
    // initdb alone takes 2.7 s on this machine; the template and the migrations together well under it.
    console.log(`first open from the template, migrations included: ${openedMs.toFixed(0)} ms`)
  }, 60_000)

  test('a template made for another PGlite version is never picked; one for this version is', () => {
    const templates = join(scratch, 'other-versions-template')
    mkdirSync(templates)
    copyFileSync(installed!, join(templates, templateFileName('0.0.1')))
    expect(findTemplate(templates, installedPgliteVersion())).toBeUndefined()
    copyFileSync(installed!, join(templates, templateFileName(installedPgliteVersion())))
    expect(findTemplate(templates, installedPgliteVersion())).toBe(join(templates, templateFileName(installedPgliteVersion())))
  })

  test('a template that does not unpack is not half-used: initdb makes the cluster', async () => {
    const damaged = join(scratch, 'damaged-template')
    mkdirSync(damaged)
    // The right name, cut short: a gzip stream that ends early.
    writeFileSync(join(damaged, templateFileName(installedPgliteVersion())), Bun.gzipSync(new Uint8Array(4096)).subarray(0, 100))
    const messages = await firstOpen('damaged', damaged)
    expect(messages).toEqual(['embedded database template did not load; running initdb instead'])
    expect(readdirSync(join(scratch, 'damaged'))).toEqual(['pglite'])
  }, 60_000)

  test('an archive with a path out of the cluster, or with no end, is refused whole and writes nothing', () => {
    const entry = (name: string, body: string) => {
      const header = new Uint8Array(512)
      header.set(new TextEncoder().encode(name), 0)
      header.set(new TextEncoder().encode(`${body.length.toString(8).padStart(11, '0')}\0`), 124)
      header[156] = '0'.charCodeAt(0)
      const data = new Uint8Array(512)
      data.set(new TextEncoder().encode(body))
      return [...header, ...data]
    }
    const end = new Array<number>(1024).fill(0)
    const good = new Uint8Array([...entry('PG_VERSION', '17\n'), ...end])
    expect(readTar(good).map((file) => [file.path, file.kind, new TextDecoder().decode(file.data)])).toEqual([['PG_VERSION', 'file', '17\n']])
    expect(() => readTar(new Uint8Array([...entry('../escape', 'x'), ...end]))).toThrow('outside the cluster')
    expect(() => readTar(new Uint8Array(entry('PG_VERSION', '17\n')))).toThrow('no end marker')
    const archive = join(scratch, 'escape.tar.gz')
    writeFileSync(archive, Bun.gzipSync(new Uint8Array([...entry('PG_VERSION', '17\n'), ...entry('base/../../escape', 'x'), ...end])))
    expect(() => extractTemplate(archive, join(scratch, 'escape', 'pglite'))).toThrow('outside the cluster')
    expect(existsSync(join(scratch, 'escape'))).toBe(false)
  })
})
