// Makes the embedded database's cluster template (core/db/pglite-template.ts) for the installed PGlite:
//   bun scripts/make-pglite-template.ts [--dir <directory>] [--force]
// Run by `npm install` (package.json postinstall) and the Docker image build, where memory is not tight:
// initdb peaks near 1 GB of RSS, which a gateway's first start then never pays. Does nothing when the
// template for this PGlite version is already there (unless --force). Failing is not fatal to an install:
// a gateway without a template runs initdb itself, as it always did, and says so in its log.
// Imports nothing of the gateway but core/db/pglite-template.ts: the Docker build runs it at `npm ci`,
// before the rest of the sources are copied in (see Dockerfile).

import { PGlite } from '@electric-sql/pglite'
import { DEFAULT_TEMPLATE_DIR, findTemplate, installedPgliteVersion, writeTemplate } from '../core/db/pglite-template.ts'

/**
 * A fresh cluster's files, as the gateway's own `memory://` databases start from (pglite-worker.ts):
 * initdb, then a checkpoint so a copy starts without replaying anything. Start parameters (memory
 * settings) are not written into the files, so PGlite's defaults do here.
 */
async function freshClusterTar(): Promise<Uint8Array<ArrayBuffer>> {
  const pg = new PGlite()
  try {
    await pg.waitReady
    await pg.exec('CHECKPOINT')
    return await (await pg.dumpDataDir('none')).bytes()
  } finally {
    await pg.close()
  }
}

/** The value after a `--name` flag, or the fallback. */
function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback
}

const directory = flag('dir', DEFAULT_TEMPLATE_DIR)
const version = installedPgliteVersion()
const existing = findTemplate(directory, version)
if (existing && !process.argv.includes('--force')) {
  console.log(`PGlite ${version} cluster template: ${existing} (up to date)`)
} else {
  const started = performance.now()
  const path = writeTemplate(directory, version, Bun.gzipSync(await freshClusterTar()))
  console.log(`PGlite ${version} cluster template: ${path} (made in ${((performance.now() - started) / 1000).toFixed(1)} s)`)
}
