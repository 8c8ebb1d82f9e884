import { afterAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { builtSourceHash, dashboardSourceHash, SOURCE_HASH_FILE } from './source-hash.ts'

// npm start rebuilds the dashboard when this hash differs from the one stored in admin/dist.

const dir = mkdtempSync(join(tmpdir(), 'hanggent-admin-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('dashboard source hash', () => {
  test('changes with a source file, not with a test file; the build records it', () => {
    mkdirSync(join(dir, 'src'), { recursive: true })
    writeFileSync(join(dir, 'index.html'), '<div id="app"></div>')
    writeFileSync(join(dir, 'src', 'main.ts'), 'export {}')
    const first = dashboardSourceHash(dir)
    writeFileSync(join(dir, 'src', 'main.test.ts'), 'test')
    expect(dashboardSourceHash(dir)).toBe(first)
    writeFileSync(join(dir, 'src', 'main.ts'), 'export const changed = true')
    expect(dashboardSourceHash(dir)).not.toBe(first)

    expect(builtSourceHash(join(dir, 'dist'))).toBeUndefined()
    mkdirSync(join(dir, 'dist'))
    writeFileSync(join(dir, 'dist', SOURCE_HASH_FILE), `${first}\n`)
    expect(builtSourceHash(join(dir, 'dist'))).toBe(first)
  })
})
