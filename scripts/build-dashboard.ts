// Builds the dashboard (admin/ → admin/dist) when its build is missing or was made from other sources.
//   bun scripts/build-dashboard.ts              # build now
//   bun scripts/build-dashboard.ts --if-stale   # build only when stale (npm start runs this)
// Without the build tools (a production install without dev dependencies) it warns and exits 0, so
// the gateway still starts and serves the API; a failing build exits 1.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { builtSourceHash, dashboardSourceHash } from '../admin/build/source-hash.ts'

/** The repository root. */
const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** The dashboard's sources. */
export const ADMIN_DIR = join(ROOT, 'admin')
/** Where the build goes (and where the gateway serves it from). */
export const DIST_DIR = join(ADMIN_DIR, 'dist')

const VITE_BIN = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js')

/** True when admin/dist is missing or was built from sources other than the current ones. */
export function dashboardIsStale(): boolean {
  return builtSourceHash(DIST_DIR) !== dashboardSourceHash(ADMIN_DIR)
}

/** True when vite and the Vue plugin are installed (dev dependencies). */
export function buildToolsInstalled(): boolean {
  return existsSync(VITE_BIN) && existsSync(join(ROOT, 'node_modules', '@vitejs', 'plugin-vue', 'package.json'))
}

/** Runs `vite build`; resolves with its output, rejects with it when the build fails. */
export async function buildDashboard(options: { quiet?: boolean } = {}): Promise<string> {
  // Vite runs under Node when there is one (its supported runtime), else under Bun.
  const runtime = Bun.which('node') ?? process.execPath
  const child = Bun.spawn([runtime, VITE_BIN, 'build', '--config', join(ADMIN_DIR, 'vite.config.ts'), '--logLevel', options.quiet ? 'warn' : 'info'], {
    cwd: ROOT,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  const output = `${stdout}${stderr}`
  if (code !== 0) throw new Error(`vite build failed (exit ${code}):\n${output}`)
  return output
}

let once: Promise<void> | undefined

/** Builds the dashboard if stale, at most once per process (the browser tests share one build). */
export function ensureDashboardBuilt(): Promise<void> {
  once ??= (async () => {
    if (!dashboardIsStale()) return
    if (!buildToolsInstalled()) throw new Error('The dashboard is not built and vite is not installed: run npm install, then npm run build:admin')
    await buildDashboard({ quiet: true })
    if (dashboardIsStale()) throw new Error('vite build finished but admin/dist does not match the sources (is another build running?)')
  })()
  return once
}

if (import.meta.main) {
  const ifStale = process.argv.includes('--if-stale')
  if (ifStale && !dashboardIsStale()) process.exit(0)
  if (!buildToolsInstalled()) {
    console.warn('warning: the dashboard is not built and vite is not installed (dev dependencies); the gateway will serve the API without the dashboard')
    process.exit(0)
  }
  console.log(ifStale ? 'Building the dashboard (admin/ changed since the last build)…' : 'Building the dashboard…')
  try {
    const output = await buildDashboard({ quiet: ifStale })
    if (!ifStale) process.stdout.write(output)
    console.log(`dashboard built into ${DIST_DIR}`)
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  }
}
