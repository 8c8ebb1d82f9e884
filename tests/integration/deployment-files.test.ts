import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { parseDockerfile } from '../../scripts/dockerfile-replay.ts'

// The files an operator starts from — package.json's engines, the Dockerfile, docker-compose.yml,
// the README and CI's script — agree with each other and with the dependencies' own requirements,
// so a fresh `npm ci` or `docker build` on the documented Node prints no EBADENGINE warning.

const root = fileURLToPath(new URL('../../', import.meta.url))
const read = (path: string) => readFileSync(join(root, path), 'utf8')
const packageJson = JSON.parse(read('package.json')) as { engines?: { node?: string } }
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> }
const stages = parseDockerfile(read('Dockerfile'))

/** `node:22.22.0-bookworm-slim` → `22.22.0`; undefined when the image is not a versioned Node image. */
function nodeImageVersion(image: string): string | undefined {
  return /^node:(\d+\.\d+\.\d+)(?:-|$)/.exec(image)?.[1]
}

/** Installed packages whose declared Node range refuses `version` (what npm reports as EBADENGINE). */
function packagesRefusing(version: string): string[] {
  return Object.entries(lock.packages).flatMap(([path, entry]) => {
    const range = !Array.isArray(entry.engines) ? entry.engines?.node : undefined
    if (!path || !range || Bun.semver.satisfies(version, range)) return []
    return [`${path.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${range}`]
  })
}

/** The Node version .ci/run provisions when the machine's is older than the engines range. */
function ciNodeVersion(): string | undefined {
  return /^CI_NODE_VERSION=(\d+\.\d+\.\d+)$/m.exec(read('.ci/run'))?.[1]
}

describe('Node version', () => {
  const engines = packageJson.engines?.node ?? ''

  test('package.json declares the Node versions it supports', () => {
    expect(engines).not.toBe('')
  })

  test('every Node image in the Dockerfile is a pinned version inside the engines range that every dependency accepts', () => {
    const nodeImages = stages.map((stage) => stage.image).filter((image) => image.startsWith('node:'))
    expect(nodeImages.length).toBeGreaterThan(0)
    for (const image of nodeImages) {
      const version = nodeImageVersion(image)
      expect({ image, pinned: version !== undefined }).toEqual({ image, pinned: true })
      expect({ image, insideEngines: Bun.semver.satisfies(version!, engines) }).toEqual({ image, insideEngines: true })
      expect({ image, refusedBy: packagesRefusing(version!) }).toEqual({ image, refusedBy: [] })
    }
  })

  test('CI installs a Node inside the engines range that every dependency accepts', () => {
    const version = ciNodeVersion()
    expect(version).toBeDefined()
    expect(Bun.semver.satisfies(version!, engines)).toBe(true)
    expect(packagesRefusing(version!)).toEqual([])
    // The check CI runs against the machine's Node is the same range.
    expect(read('.ci/run')).toContain('"engines"')
  })

  test("the README states the engines range as package.json's", () => {
    expect(read('README.md')).toContain(`Node.js \`${engines}\``)
  })
})

describe('production image', () => {
  const runtime = stages.at(-1)!
  const keywords = (keyword: string) => runtime.instructions.filter((instruction) => instruction.keyword === keyword)

  test('the runtime stage runs as a non-root user, has a health check, and carries no Node toolchain', () => {
    const user = keywords('USER').at(-1)?.text ?? 'root'
    expect(['root', '0']).not.toContain(user)
    expect(keywords('HEALTHCHECK').at(-1)?.text ?? '').toContain('/health')
    expect(runtime.image.startsWith('node:')).toBe(false)
  })

  test('no package is installed after dev dependencies are pruned', () => {
    const build = stages.find((stage) => stage.name === 'build')!
    const runs = build.instructions.filter((instruction) => instruction.keyword === 'RUN').map((instruction) => instruction.text)
    const prune = runs.findIndex((text) => /npm prune --omit=dev/.test(text))
    expect(prune).toBeGreaterThanOrEqual(0)
    const afterPrune = [runs[prune]!.split(/npm prune[^&;]*/)[1] ?? '', ...runs.slice(prune + 1)].join('\n')
    expect(afterPrune).not.toMatch(/\b(npm|bun|yarn|pnpm)\s+(install|i|add|ci)\b/)
  })
})

describe('docker compose', () => {
  const compose = Bun.YAML.parse(read('docker-compose.yml')) as {
    services: Record<
      string,
      {
        environment?: Record<string, string>
        depends_on?: Record<string, { condition?: string }> | string[]
        command?: string[]
        healthcheck?: { test?: string[] }
        stop_grace_period?: string
      }
    >
  }
  const gateways = Object.entries(compose.services).filter(([name]) => name.startsWith('gateway'))

  test('two replicas: ROOT_PASSWORD is required, since a generated password would be printed by one replica only', () => {
    expect(gateways.length).toBeGreaterThanOrEqual(2)
    for (const [, gateway] of gateways) expect(gateway.environment?.ROOT_PASSWORD).toMatch(/^\$\{ROOT_PASSWORD:\?.+\}$/)
  })

  test("Redis keeps an append-only file: it holds the replicas' journal of charges until they reach PostgreSQL", () => {
    const command = compose.services.redis?.command ?? []
    expect(command[command.indexOf('--appendonly') + 1]).toBe('yes')
    expect(command[command.indexOf('--appendfsync') + 1]).toBe('everysec')
  })

  test('replicas are healthy when ready (/ready: database, Redis, migrations), and docker stops them no sooner than their drain ends', () => {
    for (const [name, gateway] of gateways) {
      expect({ name, healthcheck: (gateway.healthcheck?.test ?? []).join(' ') }).toEqual({ name, healthcheck: expect.stringContaining("'/ready'") })
      const grace = Number(/:-(\d+)\}$/.exec(gateway.environment?.SHUTDOWN_GRACE_SECONDS ?? '')?.[1])
      const stopAfter = Number(/^(\d+)s$/.exec(gateway.stop_grace_period ?? '')?.[1])
      expect({ name, drainFits: stopAfter > grace }).toEqual({ name, drainFits: true })
    }
  })

  test('nginx waits for healthy replicas', () => {
    const dependsOn = compose.services.proxy?.depends_on
    expect(Array.isArray(dependsOn)).toBe(false)
    for (const [name] of gateways) expect((dependsOn as Record<string, { condition?: string }>)[name]?.condition).toBe('service_healthy')
  })
})
