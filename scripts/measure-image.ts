// Replays the Dockerfile's steps into a temporary directory (no Docker engine runs here) and measures
// what the runtime image adds on top of its base: the app's size, node_modules' size and top-level
// package count, and any dev dependency that reached it.
//   bun scripts/measure-image.ts                       # full replay: npm ci, dashboard build, prune
//   bun scripts/measure-image.ts --dockerfile old.Dockerfile
//   bun scripts/measure-image.ts --reuse-checkout      # `npm ci` and `npm run build:admin` replaced by
//                                                      # copies of this checkout's node_modules and admin/dist
//   bun scripts/measure-image.ts --start --json        # also boot the runtime tree and call /health, /swagger
// How it maps the image: each stage is a folder standing for its root filesystem (WORKDIR /app is
// <stage>/app). The build stage's RUN lines run with `sh -c` in <stage>/app on this machine's Node
// and npm; the runtime stage's RUN lines set up the system (user, /data) and are listed, not run.
// Exits 1 when a dev dependency is in the runtime tree, or the runtime tree fails to start.
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isIgnored, parseCopy, parseDockerfile, parseDockerignore, parseEnv, type Stage } from './dockerfile-replay.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** What the replay measured. */
export interface ImageMeasurement {
  /** The Dockerfile replayed. */
  dockerfile: string
  /** Base image of the runtime stage (not measured: it cannot be pulled here). */
  runtimeBase: string
  /** Bytes the runtime stage adds: every file copied into it. */
  addedBytes: number
  /** Bytes under /app. */
  appBytes: number
  /** Bytes under /app/node_modules. */
  nodeModulesBytes: number
  /** Top-level packages in /app/node_modules (a scope's packages counted one by one). */
  topLevelPackages: number
  /** Their names. */
  packages: string[]
  /** Whether the prebuilt dashboard (/app/admin/dist/index.html) is in the image. */
  dashboardBuilt: boolean
  /** package.json devDependencies found in /app/node_modules. */
  devDependenciesPresent: string[]
  /** Runtime-stage RUN lines that were listed, not run (system setup). */
  skippedRuns: string[]
  /** Steps replaced by copies from the checkout (--reuse-checkout). */
  substitutions: string[]
  /** Set with --start: what the booted runtime tree answered. */
  started?: { health: number; swagger: number; swaggerAsset: number; error?: string }
}

function runShell(command: string, cwd: string, env: Record<string, string>): void {
  const result = Bun.spawnSync(['sh', '-c', command], { cwd, env: { ...process.env, ...env }, stdout: 'inherit', stderr: 'inherit' })
  if (result.exitCode !== 0) throw new Error(`RUN ${command} failed with exit code ${result.exitCode}`)
}

/** Copies as COPY does, with `cp -a` (fast for node_modules): a folder's contents into the destination folder, a file to the destination path. */
function copyWhole(linkedSource: string, destination: string): void {
  const source = realpathSync(linkedSource)
  const folder = statSync(source).isDirectory()
  mkdirSync(folder ? destination : dirname(destination), { recursive: true })
  const result = Bun.spawnSync(['cp', '-a', folder ? `${source}/.` : source, destination], { stdout: 'inherit', stderr: 'inherit' })
  if (result.exitCode !== 0) throw new Error(`cp -a ${source} ${destination} failed`)
}

/**
 * A hard-linked copy of an installed node_modules (seconds instead of a minute for ~700 MB). Safe for
 * the steps that follow: prune and rm unlink, cp reads; npm's own record of the tree is the one file it
 * rewrites, so that one is a real copy.
 */
function linkTree(linkedSource: string, destination: string): void {
  // The real folder: a node_modules that is a symlink must not be copied as the link (the prune would
  // then run on the original).
  const source = realpathSync(linkedSource)
  mkdirSync(dirname(destination), { recursive: true })
  const result = Bun.spawnSync(['cp', '-al', source, destination], { stdout: 'inherit', stderr: 'inherit' })
  if (result.exitCode !== 0) throw new Error(`cp -al ${source} ${destination} failed`)
  const record = join(destination, '.package-lock.json')
  if (existsSync(record)) {
    rmSync(record)
    cpSync(join(source, '.package-lock.json'), record)
  }
}

/** Bytes of every regular file under a path (links not followed). */
export function sizeOf(path: string): number {
  if (!existsSync(path)) return 0
  const stat = lstatSync(path)
  if (!stat.isDirectory()) return stat.isFile() ? stat.size : 0
  let total = 0
  for (const entry of readdirSync(path)) total += sizeOf(join(path, entry))
  return total
}

/** Top-level package names in a node_modules folder (`@scope/name` for scoped ones). */
export function topLevelPackages(nodeModules: string): string[] {
  if (!existsSync(nodeModules)) return []
  const names: string[] = []
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue
    if (entry.startsWith('@')) {
      for (const scoped of readdirSync(join(nodeModules, entry))) if (!scoped.startsWith('.')) names.push(`${entry}/${scoped}`)
    } else names.push(entry)
  }
  return names.sort()
}

/** Where an image path lands in a stage folder: absolute paths under the stage root, others under WORKDIR. */
function inStage(stageRoot: string, workdir: string, path: string): string {
  return join(stageRoot, path.startsWith('/') ? path : join(workdir, path))
}

interface ReplayOptions {
  dockerfile: string
  reuseCheckout: boolean
  work: string
}

/** Replays every stage; returns the runtime stage's folder, its base image and what was skipped or substituted. */
function replay(stages: Stage[], options: ReplayOptions) {
  const ignore = existsSync(join(ROOT, '.dockerignore')) ? parseDockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8')) : []
  const roots = new Map<string, string>()
  const skippedRuns: string[] = []
  const substitutions: string[] = []
  stages.forEach((stage, index) => {
    const final = index === stages.length - 1
    const stageRoot = join(options.work, `stage-${index}-${stage.name}`)
    mkdirSync(stageRoot, { recursive: true })
    roots.set(stage.name, stageRoot)
    let workdir = '/'
    const env: Record<string, string> = {}
    for (const instruction of stage.instructions) {
      if (instruction.keyword === 'WORKDIR') {
        workdir = instruction.text
        mkdirSync(join(stageRoot, workdir), { recursive: true })
      } else if (instruction.keyword === 'ENV') {
        Object.assign(env, parseEnv(instruction.text))
      } else if (instruction.keyword === 'COPY') {
        const copy = parseCopy(instruction.text)
        const destination = inStage(stageRoot, workdir, copy.destination)
        for (const source of copy.sources) {
          if (copy.from !== undefined) {
            const fromRoot = roots.get(copy.from)
            if (!fromRoot) throw new Error(`Dockerfile line ${instruction.line}: no stage named ${copy.from}`)
            const from = join(fromRoot, source)
            const target = copy.destination.endsWith('/') || copy.sources.length > 1 ? join(destination, source.split('/').at(-1)!) : destination
            copyWhole(from, target)
          } else {
            // From the build context, without what .dockerignore leaves out.
            const from = join(ROOT, source)
            const target = copy.destination.endsWith('/') && !statSync(from).isDirectory() ? join(destination, source) : destination
            cpSync(from, target, { recursive: true, filter: (path) => path === ROOT || !isIgnored(relative(ROOT, path), ignore) })
          }
        }
      } else if (instruction.keyword === 'RUN') {
        if (final) {
          if (/\b(npm|bun|yarn|pnpm)\b/.test(instruction.text))
            throw new Error(
              `Dockerfile line ${instruction.line}: the replay runs no package manager in the runtime stage (it would change what is measured): ${instruction.text}`,
            )
          skippedRuns.push(instruction.text)
          continue
        }
        if (/(^|[\s"'=])\/(?!dev\/null)/.test(instruction.text))
          throw new Error(`Dockerfile line ${instruction.line}: build-stage RUN lines must stay relative to WORKDIR for the replay: ${instruction.text}`)
        const cwd = join(stageRoot, workdir)
        if (options.reuseCheckout && /^npm ci\b/.test(instruction.text)) {
          linkTree(join(ROOT, 'node_modules'), join(cwd, 'node_modules'))
          substitutions.push(`${instruction.text} → copy of the checkout's node_modules`)
        } else if (options.reuseCheckout && /^npm run build:admin$/.test(instruction.text)) {
          copyWhole(join(ROOT, 'admin', 'dist'), join(cwd, 'admin', 'dist'))
          substitutions.push(`${instruction.text} → copy of the checkout's admin/dist`)
        } else {
          console.error(`== RUN ${instruction.text}`)
          runShell(instruction.text, cwd, env)
        }
      }
    }
  })
  const last = stages.at(-1)!
  return {
    runtimeRoot: roots.get(last.name)!,
    runtimeBase: last.image,
    skippedRuns,
    substitutions,
    workdir: last.instructions.filter((instruction) => instruction.keyword === 'WORKDIR').at(-1)?.text ?? '/',
  }
}

/** The runtime stage's CMD in exec form, its program looked up in the stage's folder like the image's PATH would. */
function commandOf(stage: Stage, runtimeRoot: string, workdir: string): string[] {
  const cmd = stage.instructions.filter((instruction) => instruction.keyword === 'CMD').at(-1)
  if (!cmd) throw new Error('the runtime stage has no CMD')
  const argv = JSON.parse(cmd.text) as string[]
  const program = argv[0]!
  const candidates = program.includes('/')
    ? [inStage(runtimeRoot, workdir, program)]
    : ['/usr/local/bin', '/usr/bin', '/bin'].map((dir) => join(runtimeRoot, dir, program))
  const found = candidates.find((candidate) => existsSync(candidate))
  if (!found) throw new Error(`CMD program ${program} is not in the runtime stage (looked at ${candidates.join(', ')})`)
  return [found, ...argv.slice(1)]
}

/** Boots the runtime tree as the image's CMD would (port 0, data in a temporary folder) and calls it. */
async function startRuntime(stage: Stage, runtimeRoot: string, workdir: string): Promise<NonNullable<ImageMeasurement['started']>> {
  const env: Record<string, string> = {}
  for (const instruction of stage.instructions) if (instruction.keyword === 'ENV') Object.assign(env, parseEnv(instruction.text))
  const dataDir = mkdtempSync(join(tmpdir(), 'hanggent-image-data-'))
  const child = Bun.spawn(commandOf(stage, runtimeRoot, workdir), {
    cwd: join(runtimeRoot, workdir),
    // Only what the image has: its ENV, a PATH of its own, no HOME of this machine's.
    env: {
      ...env,
      PATH: ['/usr/local/bin', '/usr/bin', '/bin'].map((dir) => join(runtimeRoot, dir)).join(':'),
      HOME: dataDir,
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      ROOT_PASSWORD: 'image-replay-password',
    },
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
  })
  try {
    let seen = ''
    const reader = child.stderr.getReader()
    const decoder = new TextDecoder()
    const deadline = Date.now() + 60_000
    let port: string | undefined
    while (!port && Date.now() < deadline) {
      const { value, done } = await reader.read()
      if (done) break
      seen += decoder.decode(value)
      port = /"message":"gateway listening"[^\n]*"port":(\d+)/.exec(seen)?.[1]
    }
    if (!port) return { health: 0, swagger: 0, swaggerAsset: 0, error: `did not start:\n${seen.slice(-2000)}` }
    const base = `http://127.0.0.1:${port}`
    const health = (await fetch(`${base}/health`)).status
    const page = await fetch(`${base}/swagger`)
    const html = await page.text()
    const asset = /src="([^"]+swagger-ui-bundle\.js)"/.exec(html)?.[1]
    const swaggerAsset = asset ? (await fetch(`${base}${asset}`)).status : 0
    return { health, swagger: page.status, swaggerAsset }
  } finally {
    child.kill('SIGTERM')
    await child.exited
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Replays a Dockerfile and measures its runtime stage; the work folder is removed unless `keep`. */
export async function measureImage(
  options: { dockerfile?: string; reuseCheckout?: boolean; start?: boolean; keep?: boolean } = {},
): Promise<ImageMeasurement & { work?: string }> {
  const dockerfile = options.dockerfile ?? join(ROOT, 'Dockerfile')
  const stages = parseDockerfile(readFileSync(dockerfile, 'utf8'))
  if (stages.length === 0) throw new Error(`${dockerfile} has no FROM`)
  const work = mkdtempSync(join(tmpdir(), 'hanggent-image-'))
  try {
    const replayed = replay(stages, { dockerfile, reuseCheckout: options.reuseCheckout ?? false, work })
    const app = join(replayed.runtimeRoot, replayed.workdir)
    const nodeModules = join(app, 'node_modules')
    const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> }
    const installed = new Set(topLevelPackages(nodeModules))
    const measurement: ImageMeasurement = {
      dockerfile: relative(ROOT, dockerfile) || dockerfile,
      runtimeBase: replayed.runtimeBase,
      addedBytes: sizeOf(replayed.runtimeRoot),
      appBytes: sizeOf(app),
      nodeModulesBytes: sizeOf(nodeModules),
      topLevelPackages: installed.size,
      packages: [...installed],
      dashboardBuilt: existsSync(join(app, 'admin', 'dist', 'index.html')),
      devDependenciesPresent: Object.keys(packageJson.devDependencies ?? {})
        .filter((name) => installed.has(name))
        .sort(),
      skippedRuns: replayed.skippedRuns,
      substitutions: replayed.substitutions,
    }
    if (options.start) measurement.started = await startRuntime(stages.at(-1)!, replayed.runtimeRoot, replayed.workdir)
    return { ...measurement, ...(options.keep ? { work } : {}) }
  } finally {
    if (!options.keep) rmSync(work, { recursive: true, force: true })
  }
}

const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`

if (import.meta.main) {
  const args = process.argv.slice(2)
  const flag = (name: string) => args.includes(name)
  const dockerfileIndex = args.indexOf('--dockerfile')
  const result = await measureImage({
    dockerfile: dockerfileIndex >= 0 ? args[dockerfileIndex + 1] : undefined,
    reuseCheckout: flag('--reuse-checkout'),
    start: flag('--start'),
    keep: flag('--keep'),
  })
  if (flag('--json')) console.log(JSON.stringify(result, null, 2))
  else {
    console.log(`${result.dockerfile}: runtime stage on ${result.runtimeBase} (base image not included below)`)
    console.log(`  added to the base   ${megabytes(result.addedBytes)}`)
    console.log(`  /app                ${megabytes(result.appBytes)}`)
    console.log(`  /app/node_modules   ${megabytes(result.nodeModulesBytes)}, ${result.topLevelPackages} top-level packages`)
    console.log(`  dashboard prebuilt  ${result.dashboardBuilt ? 'yes' : 'no'}`)
    console.log(`  dev dependencies    ${result.devDependenciesPresent.length === 0 ? 'none' : result.devDependenciesPresent.join(', ')}`)
    for (const run of result.skippedRuns) console.log(`  not run (system setup): ${run}`)
    for (const substitution of result.substitutions) console.log(`  substituted: ${substitution}`)
    if (result.started)
      console.log(
        `  started: /health ${result.started.health}, /swagger ${result.started.swagger}, UI asset ${result.started.swaggerAsset}${result.started.error ? `\n${result.started.error}` : ''}`,
      )
    if (result.work) console.log(`  kept: ${result.work}`)
  }
  const startFailed = result.started !== undefined && (result.started.health !== 200 || result.started.swagger !== 200 || result.started.swaggerAsset !== 200)
  process.exit(result.devDependenciesPresent.length > 0 || startFailed ? 1 : 0)
}
