import { describe, expect, test } from 'bun:test'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import {
  findBoundaryViolations,
  formatViolation,
  type BoundaryContext,
  type BoundaryException,
  type DeclaredPackages,
  type SourceFile,
} from '../support/import-boundaries.ts'

// Plugins and the SDK are products of their own (issue 15): a built-in plugin imports the contract from
// @hanggent/plugin-sdk and never the gateway's core/, an example plugin is a package that imports only
// itself and what it declares, and the SDK never reaches back into the gateway. The rules are written
// at the top of tests/support/import-boundaries.ts.

const root = join(import.meta.dir, '..', '..')

/**
 * Core imports plugin tests still make, each with why. They check what the gateway does with the
 * plugin's data (billing arithmetic, request body validation), which no SDK function answers: pricing
 * and body validation are the gateway's own. Each goes when the SDK offers the same check.
 */
const PLUGIN_TEST_EXCEPTIONS: BoundaryException[] = [
  {
    file: 'plugins/claude/claude-plugin.test.ts',
    target: 'core/relay/validate-body.ts',
    reason: "a bad Messages body gets the gateway's own 400 wording, produced by the plugin's request schema",
  },
  {
    file: 'plugins/gemini/gemini-plugin.test.ts',
    target: 'core/billing/price-usage.ts',
    reason: "the plugin's cache-read price bills through the gateway's one pricing function",
  },
]

const SOURCE = /\.(ts|tsx|mts|cts|js|mjs)$/

/** Every source file under `folder` (repository-relative), node_modules left out. */
function sourceFiles(folder: string): SourceFile[] {
  const absolute = join(root, folder)
  if (!existsSync(absolute)) return []
  return readdirSync(absolute, { recursive: true, encoding: 'utf8' })
    .filter((name) => SOURCE.test(name) && !name.split(sep).includes('node_modules'))
    .map((name) => {
      const path = relative(root, join(absolute, name)).split(sep).join('/')
      return { path, text: readFileSync(join(root, path), 'utf8') }
    })
}

/** The packages a package.json declares, the package's own name included (a package may import itself by name). */
function declared(folder: string): DeclaredPackages {
  const manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')) as { name?: string } & Record<
    string,
    Record<string, string> | undefined
  >
  const names = (field: string) => Object.keys(manifest[field] ?? {})
  const self = typeof manifest.name === 'string' ? [manifest.name] : []
  return { runtime: [...self, ...names('dependencies'), ...names('peerDependencies'), ...names('optionalDependencies')], development: names('devDependencies') }
}

/** The real context: the repository's and each package's declared packages, and the listed exceptions. */
function repositoryContext(): BoundaryContext {
  const examples = readdirSync(join(root, 'examples/plugins'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, 'examples/plugins', entry.name, 'package.json')))
    .map((entry) => `examples/plugins/${entry.name}`)
  const packages = Object.fromEntries([...examples, 'packages/plugin-sdk'].map((folder) => [folder, declared(folder)]))
  return { repository: declared('.'), packages, exceptions: PLUGIN_TEST_EXCEPTIONS }
}

describe('plugin import boundaries', () => {
  test('plugins/, examples/plugins/ and packages/plugin-sdk/ import only what their rules allow', () => {
    const files = [...sourceFiles('plugins'), ...sourceFiles('examples/plugins'), ...sourceFiles('packages/plugin-sdk')]
    expect(files.length).toBeGreaterThan(100)
    expect(findBoundaryViolations(files, repositoryContext()).map(formatViolation)).toEqual([])
  })

  test('each rule names the file, the line and the import that breaks it', () => {
    const context: BoundaryContext = {
      repository: { runtime: ['elysia'], development: ['openai'] },
      packages: {
        'examples/plugins/acme': { runtime: ['@hanggent/plugin-sdk'], development: ['typescript'] },
        'packages/plugin-sdk': { runtime: ['@sinclair/typebox'], development: [] },
      },
      exceptions: [{ file: 'plugins/demo/old.test.ts', target: 'core/plugin/registry.ts', reason: 'gone' }],
    }
    const files: SourceFile[] = [
      { path: 'plugins/demo/index.ts', text: "import { Type } from '@sinclair/typebox'\nimport type { AppContext } from '../../core/app-context.ts'\n" },
      { path: 'plugins/demo/demo-decode.ts', text: "import { loadFixture } from '../../tests/support/fixtures.ts'\nimport OpenAI from 'openai'\n" },
      {
        path: 'plugins/demo/demo.test.ts',
        text: "import { startGateway } from '../../tests/support/gateway.ts'\nimport OpenAI from 'openai'\nimport { x } from '../../tests/integration/relay-billing.test.ts'\nconst m = await import('../../core/relay/pipeline.ts')\n",
      },
      {
        path: 'examples/plugins/acme/index.ts',
        text: "import { isRecord } from '@hanggent/plugin-sdk'\nimport { OpenAIChatRequest } from '../../../schemas/openai-chat.ts'\nimport ts from 'typescript'\nimport { z } from 'zod'\n",
      },
      { path: 'examples/plugins/acme/acme.test.ts', text: "import { expect } from 'bun:test'\nimport ts from 'typescript'\n" },
      {
        path: 'packages/plugin-sdk/src/hub.ts',
        text: "import type { Static } from '@sinclair/typebox'\nexport { toGatewayError } from '../../../core/errors.ts'\nimport { readFileSync } from 'node:fs'\n",
      },
    ]
    expect(findBoundaryViolations(files, context).map(formatViolation)).toEqual([
      "plugins/demo/index.ts:2 imports '../../core/app-context.ts': imports gateway internals (core/app-context.ts); plugins import the contract and helpers from @hanggent/plugin-sdk",
      "plugins/demo/demo-decode.ts:1 imports '../../tests/support/fixtures.ts': imports test code (tests/support/fixtures.ts) from a file that ships; only test files may",
      "plugins/demo/demo-decode.ts:2 imports 'openai': uses 'openai'; a built-in plugin's shipped files may use @hanggent/plugin-sdk and @sinclair/typebox only",
      "plugins/demo/demo.test.ts:3 imports '../../tests/integration/relay-billing.test.ts': imports tests/integration/relay-billing.test.ts; plugin tests may use tests/support/ only",
      "plugins/demo/demo.test.ts:4 imports '../../core/relay/pipeline.ts': imports gateway internals (core/relay/pipeline.ts); plugins import the contract and helpers from @hanggent/plugin-sdk",
      "examples/plugins/acme/index.ts:2 imports '../../../schemas/openai-chat.ts': reaches outside its package (schemas/openai-chat.ts); a package imports only its own files and the packages it declares",
      "examples/plugins/acme/index.ts:3 imports 'typescript': uses 'typescript', which examples/plugins/acme/package.json does not declare outside devDependencies",
      "examples/plugins/acme/index.ts:4 imports 'zod': uses 'zod', which examples/plugins/acme/package.json does not declare",
      "packages/plugin-sdk/src/hub.ts:2 imports '../../../core/errors.ts': reaches outside its package (core/errors.ts); a package imports only its own files and the packages it declares",
      "plugins/demo/old.test.ts:0 imports 'core/plugin/registry.ts': is listed as an allowed core import but no longer imported: remove the exception",
    ])
  })

  test('type-only imports count, and commented-out imports do not', () => {
    const context: BoundaryContext = { repository: { runtime: [], development: [] }, packages: {}, exceptions: [] }
    const text =
      "// import { x } from '../../core/x.ts'\nconst note = \"from '../../core/y.ts'\"\nimport type { PluginHostConfig } from '../../core/plugin/host-config.ts'\n"
    expect(
      findBoundaryViolations([{ path: 'plugins/demo/transport.ts', text }], context).map((violation) => `${violation.line} ${violation.specifier}`),
    ).toEqual(['3 ../../core/plugin/host-config.ts'])
  })
})
