import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Plugin } from 'vite'
import { dashboardSourceHash, SOURCE_HASH_FILE } from './source-hash.ts'

/** File types worth compressing (images and fonts are compressed already). */
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map|webmanifest)$/

/** Below this size compression saves less than the extra file costs. */
const MIN_BYTES = 1024

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return []
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path).flatMap((name) => filesUnder(join(path, name)))
}

/** Writes `<file>.br` and `<file>.gz` beside one file, keeping each only when it is smaller. */
export function precompressFile(file: string): void {
  const raw = readFileSync(file)
  const brotli = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })
  const gzip = gzipSync(raw, { level: 9 })
  if (brotli.length < raw.length) writeFileSync(`${file}.br`, brotli)
  if (gzip.length < raw.length) writeFileSync(`${file}.gz`, gzip)
}

/**
 * A build step that compresses every text asset once, at build time, so the gateway serves
 * `.br`/`.gz` files straight from disk; then records the sources' hash so stale builds are noticed.
 */
export function precompressAndStamp(adminDir: string): Plugin {
  let outDir = ''
  return {
    name: 'hanggent-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir)
    },
    closeBundle() {
      for (const file of filesUnder(outDir)) {
        if (COMPRESSIBLE.test(file) && statSync(file).size >= MIN_BYTES) precompressFile(file)
      }
      writeFileSync(join(outDir, SOURCE_HASH_FILE), `${dashboardSourceHash(adminDir)}\n`)
    },
  }
}
