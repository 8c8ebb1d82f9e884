import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { findManifestProblem, formProblems, type PluginDefinition } from '@hanggent/plugin-sdk'

// The walk-through in docs/plugins.md ("Building a provider from nothing") is a plugin in code blocks
// whose info string names the file (```ts lumen/index.ts); the SDK's README shows a minimal one
// (```ts example/index.ts). This test writes those blocks out, type-checks them against the SDK and runs
// the tests the guide shows, so neither text can drift from the SDK it teaches.

const root = join(import.meta.dir, '..', '..')

/** The files a text shows: every fenced block whose info string names a path under `folder/`. */
function shownFiles(markdown: string, folder: string): Map<string, string> {
  const files = new Map<string, string>()
  for (const match of markdown.matchAll(/^```[a-z]+ ([a-z]+\/[^\s`]+)\n([\s\S]*?)^```$/gm)) {
    if ((match[1] as string).startsWith(`${folder}/`)) files.set(match[1] as string, match[2] as string)
  }
  return files
}

let folder: string
let files: Map<string, string>
let readmeFiles: Map<string, string>

beforeAll(() => {
  files = shownFiles(readFileSync(join(root, 'docs/plugins.md'), 'utf8'), 'lumen')
  readmeFiles = shownFiles(readFileSync(join(root, 'packages/plugin-sdk/README.md'), 'utf8'), 'example')
  folder = mkdtempSync(join(tmpdir(), 'plugin-guide-'))
  symlinkSync(join(root, 'node_modules'), join(folder, 'node_modules'))
  for (const [path, text] of [...files, ...readmeFiles]) {
    mkdirSync(dirname(join(folder, path)), { recursive: true })
    writeFileSync(join(folder, path), text)
  }
  writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify({ extends: join(root, 'tsconfig.json'), include: ['lumen', 'example'] }))
})

afterAll(() => {
  rmSync(folder, { recursive: true, force: true })
})

/** Runs a command in the guide's package; resolves to its exit code and output. */
async function run(command: string[]): Promise<{ code: number; output: string }> {
  const child = Bun.spawn(command, { cwd: folder, stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  return { code, output: `${stdout}${stderr}` }
}

describe('the plugin guide', () => {
  test('shows a whole plugin: wire types, transport, codecs, errors, manifest, fixtures, tests and a conformance case', () => {
    expect([...files.keys()].sort()).toEqual([
      'lumen/__fixtures__/lumen-stream.sse.txt',
      'lumen/__fixtures__/lumen-tool-call.json',
      'lumen/conformance/tool-call.case.json',
      'lumen/index.ts',
      'lumen/lumen-answer.ts',
      'lumen/lumen-conformance.test.ts',
      'lumen/lumen-errors.ts',
      'lumen/lumen-request.ts',
      'lumen/lumen-transport.ts',
      'lumen/lumen-wire.ts',
      'lumen/lumen.test.ts',
    ])
  })

  test("the SDK README's minimal plugin is one file", () => {
    expect([...readmeFiles.keys()]).toEqual(['example/index.ts'])
  })

  test('its plugins import only the SDK, TypeBox and their own files', () => {
    for (const [path, text] of [...files, ...readmeFiles]) {
      for (const [, specifier] of text.matchAll(/from '([^']+)'/g))
        expect(`${path}: ${specifier}`).toMatch(/: (@hanggent\/plugin-sdk(\/conformance)?|@sinclair\/typebox|bun:test|node:url|\.\/[a-z-]+\.ts)$/)
    }
  })

  test('its plugins type-check against the SDK (tsc --noEmit)', async () => {
    const { code, output } = await run([join(root, 'node_modules/.bin/tsc'), '--noEmit', '-p', 'tsconfig.json'])
    expect(output).toBe('')
    expect(code).toBe(0)
  }, 300_000)

  test("both plugins pass the gateway's manifest checks, and the dashboard can render their settings forms", async () => {
    for (const entry of ['lumen/index.ts', 'example/index.ts']) {
      const plugin = ((await import(join(folder, entry))) as { default: PluginDefinition }).default
      expect(findManifestProblem(plugin)).toBeUndefined()
      for (const channelType of plugin.channelTypes) expect(formProblems(channelType.settings)).toEqual([])
    }
  })

  test("the guide's own tests pass, the conformance kit's included", async () => {
    const { code, output } = await run([process.execPath, 'test', './lumen'])
    expect(output).toContain('(pass) Lumen passes the conformance kit')
    expect(output).toContain(' 6 pass')
    expect(output).toContain(' 0 fail')
    expect(code).toBe(0)
  }, 300_000)
})
