import { existsSync, readdirSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cacheControlFor, contentTypeFor, type Encoding } from './serving-rules.ts'

/** One file of the build, with the precompressed variants written beside it at build time. */
export interface DashboardFile {
  /** Path inside the build, e.g. `assets/index-AbC123.js`. */
  relativePath: string
  contentType: string
  cacheControl: string
  /** Variants on disk (`<file>.br`, `<file>.gz`). */
  encodings: ReadonlySet<Encoding>
}

/** A scanned build: its files by path, and their bytes read once and kept in memory. */
export interface DashboardBuild {
  files: ReadonlyMap<string, DashboardFile>
  /** index.html, served for every dashboard route. */
  index: DashboardFile
  /** The bytes of a file in the given encoding (identity when undefined); read from disk once. */
  read(file: DashboardFile, encoding: Encoding | undefined): Promise<Uint8Array<ArrayBuffer>>
}

const VARIANT_SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz' }

function relativeFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.')) return []
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`
    return entry.isDirectory() ? relativeFiles(dir, path) : [path]
  })
}

/** Scans a build directory; undefined when it holds no index.html (the dashboard is not built). */
export function scanDashboardBuild(dir: string): DashboardBuild | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined
  const paths = new Set(relativeFiles(dir))
  const files = new Map<string, DashboardFile>()
  for (const path of paths) {
    if (path.endsWith('.br') || path.endsWith('.gz')) continue
    const encodings = new Set<Encoding>((Object.keys(VARIANT_SUFFIX) as Encoding[]).filter((encoding) => paths.has(`${path}${VARIANT_SUFFIX[encoding]}`)))
    files.set(path, { relativePath: path, contentType: contentTypeFor(path), cacheControl: cacheControlFor(path), encodings })
  }
  const index = files.get('index.html')
  if (!index) return undefined
  const cache = new Map<string, Promise<Uint8Array<ArrayBuffer>>>()
  return {
    files,
    index,
    read(file, encoding) {
      const path = encoding ? `${file.relativePath}${VARIANT_SUFFIX[encoding]}` : file.relativePath
      let bytes = cache.get(path)
      if (!bytes) {
        bytes = readFile(join(dir, path)).then((buffer) => new Uint8Array(buffer))
        bytes.catch(() => cache.delete(path))
        cache.set(path, bytes)
      }
      return bytes
    },
  }
}

/**
 * The current build of a directory. The directory is scanned again when index.html changes (a
 * rebuild while the gateway runs) or appears (built after start), at the cost of one stat per page load.
 */
export function dashboardSource(dir: string): { current(): DashboardBuild | undefined } {
  let build: DashboardBuild | undefined
  let stamp: number | undefined
  return {
    current() {
      let mtime: number | undefined
      try {
        mtime = statSync(join(dir, 'index.html')).mtimeMs
      } catch {
        mtime = undefined
      }
      if (mtime !== stamp) {
        stamp = mtime
        build = mtime === undefined ? undefined : scanDashboardBuild(dir)
      }
      return build
    },
  }
}
