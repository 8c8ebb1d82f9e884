import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { measureImage } from '../../scripts/measure-image.ts'
import { ensureDashboardBuilt } from '../../scripts/build-dashboard.ts'

// The Dockerfile replayed on this machine (no Docker engine here): the runtime stage must hold
// production dependencies only, the prebuilt dashboard, and start as the image's CMD would.
// `npm ci` and the dashboard build are replaced by copies of this checkout's (installed from the same
// lock file, built from the same sources); everything after them runs as written.

const root = fileURLToPath(new URL('../../', import.meta.url))
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> }
/** Top-level packages npm installs for development only. */
const devOnly = Object.entries(lock.packages)
  .filter(([path, entry]) => entry.dev === true && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path))
  .map(([path]) => path.slice('node_modules/'.length))

describe('production image', () => {
  test('production dependencies only, dashboard prebuilt, and it starts', async () => {
    await ensureDashboardBuilt()
    const image = await measureImage({ reuseCheckout: true, start: true })
    for (const name of ['vite', 'typescript', 'playwright-core', 'bun', '@redocly/cli']) expect(image.packages).not.toContain(name)
    expect(image.devDependenciesPresent).toEqual([])
    expect(image.packages.filter((name) => devOnly.includes(name))).toEqual([])
    expect(image.packages).toContain('elysia')
    expect(image.dashboardBuilt).toBe(true)
    expect(image.started).toEqual({ health: 200, swagger: 200, swaggerAsset: 200 })
    // Both slow steps were replaced as the header says (a Dockerfile that renames them runs them for real).
    expect(image.substitutions).toHaveLength(2)
  }, 300_000)
})
