import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'

// The dashboard is rebuilt when its sources change, not when their timestamps do: a content hash of
// everything that shapes the bundle is written into the build and compared before serving.

/** Where, inside admin/dist, the hash of the sources it was built from is kept. */
export const SOURCE_HASH_FILE = '.source-hash'

/** The sources (relative to admin/) whose content decides the build's output. */
export const DASHBOARD_SOURCES = ['src', 'build', 'public', 'index.html', 'vite.config.ts']

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return []
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => filesUnder(join(path, entry.name)))
}

/** A SHA-256 over the names and contents of the dashboard's sources; tests beside the code do not count. */
export function dashboardSourceHash(adminDir: string): string {
  const hash = createHash('sha256')
  for (const source of DASHBOARD_SOURCES) {
    for (const file of filesUnder(join(adminDir, source))) {
      if (file.endsWith('.test.ts')) continue
      hash.update(relative(adminDir, file).split(sep).join('/')).update('\0').update(readFileSync(file)).update('\0')
    }
  }
  return hash.digest('hex')
}

/** The hash a built dashboard records, or undefined when there is no build. */
export function builtSourceHash(distDir: string): string | undefined {
  const file = join(distDir, SOURCE_HASH_FILE)
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined
}
