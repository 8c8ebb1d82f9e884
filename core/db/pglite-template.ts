import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'

// A fresh embedded cluster (PGlite's initdb output, before any migration), made once where memory is not
// constrained (`npm install`'s postinstall, the Docker image build: scripts/make-pglite-template.ts) so a
// gateway's first start on an empty data directory writes these files instead of running initdb, whose
// three WebAssembly instances take the process to ~980 MB of RSS for a second or two. The files are
// written here, in plain JavaScript, not through PGlite's loadDataDir: that copies the 40 MB tar three
// or four times on its way into the emulated file system (+130 MB at the peak). PGlite keeps a data
// directory's files as they are on disk (its Node file system mounts the directory as PGDATA), so the
// tar's entries are the directory's files. Migrations still run at every start, as before.

/**
 * Bumped whenever what a template holds changes (say, it starts to include the migrations), so a file
 * written by an older checkout is never loaded by a newer one. The PGlite version is the other half of
 * the key: it fixes the Postgres release, the WebAssembly build and initdb's defaults, which decide
 * whether a cluster's files can be opened at all.
 */
const TEMPLATE_FORMAT = 1

/** Where `npm install` leaves the template: a cache of this install, rebuilt with node_modules. */
export const DEFAULT_TEMPLATE_DIR = fileURLToPath(new URL('../../node_modules/.cache/hanggent-api/', import.meta.url))

/** Template files of any version or format, so a new one can clear the others away. */
const TEMPLATE_FILE = /^pglite-.+-cluster-v\d+\.tar\.gz$/

/** The installed @electric-sql/pglite's version, read from its package.json (the package does not export it). */
export function installedPgliteVersion(): string {
  const manifest = new URL('../package.json', import.meta.resolve('@electric-sql/pglite'))
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }
  if (typeof version !== 'string' || version === '') throw new Error(`No version in ${fileURLToPath(manifest)}`)
  return version
}

/** The template's file name for a PGlite version: the version and TEMPLATE_FORMAT are its key. */
export function templateFileName(pgliteVersion: string): string {
  return `pglite-${pgliteVersion}-cluster-v${TEMPLATE_FORMAT}.tar.gz`
}

/** The path of the template made for exactly this PGlite version, or undefined when there is none. */
export function findTemplate(directory: string, pgliteVersion: string): string | undefined {
  const path = join(directory, templateFileName(pgliteVersion))
  return existsSync(path) ? path : undefined
}

/**
 * Writes a template for this version (a gzipped tar of a cluster's files, as PGlite's dumpDataDir makes
 * it) under a temporary name and renames it into place, so a reader never sees half a file; then
 * removes the templates of other versions, which no start would load again.
 */
export function writeTemplate(directory: string, pgliteVersion: string, bytes: Uint8Array): string {
  mkdirSync(directory, { recursive: true })
  const name = templateFileName(pgliteVersion)
  const path = join(directory, name)
  const partial = `${path}.${process.pid}.partial`
  writeFileSync(partial, bytes)
  renameSync(partial, path)
  for (const other of readdirSync(directory)) {
    if (other !== name && TEMPLATE_FILE.test(other)) rmSync(join(directory, other), { force: true })
  }
  return path
}

/** One entry of a template: a directory, or a file with its bytes (a view into the unpacked tar). */
export interface TemplateEntry {
  /** Path relative to the cluster's directory, without `.` or `..` parts. */
  path: string
  kind: 'file' | 'directory'
  data: Uint8Array
}

const BLOCK = 512

/** A NUL-terminated ASCII field of a tar header. */
function headerText(header: Uint8Array, offset: number, length: number): string {
  const field = header.subarray(offset, offset + length)
  const end = field.indexOf(0)
  return new TextDecoder().decode(end === -1 ? field : field.subarray(0, end))
}

/**
 * The entries of a ustar archive as PGlite's dumpDataDir writes them (regular files and directories,
 * POSIX names with an optional prefix). Anything else, a name that leaves the directory, or an archive
 * cut short is an error: a template is all or nothing.
 */
export function readTar(archive: Uint8Array): TemplateEntry[] {
  const entries: TemplateEntry[] = []
  let offset = 0
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK)
    // Two zero blocks end the archive; one is enough to know.
    if (header.every((byte) => byte === 0)) return entries
    const name = headerText(header, 0, 100)
    const prefix = headerText(header, 345, 155)
    const size = Number.parseInt(headerText(header, 124, 12).trim() || '0', 8)
    const type = String.fromCharCode(header[156] ?? 0)
    const path = normalize(prefix ? `${prefix}/${name}` : name).replace(/^\/+|\/+$/g, '')
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`Bad size in the tar entry ${name}`)
    if (path === '' || path === '.' || path.startsWith('..')) throw new Error(`Tar entry outside the cluster: ${name}`)
    const start = offset + BLOCK
    if (start + size > archive.length) throw new Error(`The tar archive ends inside ${name}`)
    if (type === '0' || type === '\0') entries.push({ path, kind: 'file', data: archive.subarray(start, start + size) })
    else if (type === '5') entries.push({ path, kind: 'directory', data: new Uint8Array(0) })
    else throw new Error(`Unexpected tar entry type '${type}' for ${name}`)
    offset = start + Math.ceil(size / BLOCK) * BLOCK
  }
  throw new Error('The tar archive has no end marker')
}

/**
 * Writes the template's cluster as `clusterDir`, which must not exist or be empty: into a sibling
 * directory first, renamed into place once whole, so a start killed halfway leaves no half cluster
 * behind (the next start finds no PG_VERSION and does it again).
 */
export function extractTemplate(templatePath: string, clusterDir: string): void {
  const entries = readTar(Bun.gunzipSync(readFileSync(templatePath)))
  if (!entries.some((entry) => entry.path === 'PG_VERSION')) throw new Error(`${templatePath} holds no PG_VERSION: not a cluster`)
  const staging = `${clusterDir}.${process.pid}.partial`
  removeStaging(clusterDir)
  try {
    mkdirSync(staging, { recursive: true, mode: 0o700 })
    for (const entry of entries) {
      const target = join(staging, entry.path)
      if (entry.kind === 'directory') mkdirSync(target, { recursive: true })
      else {
        mkdirSync(dirname(target), { recursive: true })
        writeFileSync(target, entry.data)
      }
    }
    // rmdir: only an empty directory may be replaced.
    if (existsSync(clusterDir)) rmdirSync(clusterDir)
    renameSync(staging, clusterDir)
  } catch (error) {
    rmSync(staging, { recursive: true, force: true })
    throw error
  }
}

/** Staging directories a start killed while unpacking left beside the cluster (`<cluster>.<pid>.partial`, any pid). */
function removeStaging(clusterDir: string): void {
  const parent = dirname(clusterDir)
  if (!existsSync(parent)) return
  const prefix = `${basename(clusterDir)}.`
  for (const name of readdirSync(parent)) {
    const middle = name.startsWith(prefix) && name.endsWith('.partial') ? name.slice(prefix.length, -'.partial'.length) : ''
    if (/^\d+$/.test(middle)) rmSync(join(parent, name), { recursive: true, force: true })
  }
}
