import { describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { loadPluginModule } from './loader.ts'
import { createRegistry } from './registry.ts'
import { findManifestProblem } from './validate-plugin.ts'

// Optional contract additions (issue 20 items 4 and 6): per-unit prices for non-token quantities and
// tokenizers for estimates are checked at load, with the plugin's field named.

const good = () => loadPluginModule(fileURLToPath(new URL('./__fixtures__/good.ts', import.meta.url)))

describe('per-unit prices and tokenizers in a manifest', () => {
  test('well-formed per-unit prices load; bad names and amounts are named', async () => {
    const plugin = await good()
    const priced = (perUnit: unknown) => ({ ...plugin, pricing: { 'tiny-1': { inputPerMTok: 1, perUnit } } })
    expect(findManifestProblem(priced({ searchUnits: 0.002, images: 0.04, renders: 0 }))).toBeUndefined()
    expect(findManifestProblem(priced(0.002))).toBe('pricing["tiny-1"].perUnit must be an object of USD per unit by quantity name')
    expect(findManifestProblem(priced({ 'search units': 1 }))).toBe(
      'pricing["tiny-1"].perUnit has "search units", which is not a camelCase quantity name (e.g. "searchUnits")',
    )
    expect(findManifestProblem(priced({ images: -1 }))).toBe('pricing["tiny-1"].perUnit.images must be a non-negative number')
  })

  test('a tokenizer names a shipped encoding or brings a count function', async () => {
    const plugin = await good()
    const counting = (tokenizers: unknown) => ({ ...plugin, tokenizers })
    expect(findManifestProblem(counting({ 'tiny-*': { count: (text: string) => text.length }, 'tiny-1': { encoding: 'cl100k_base' } }))).toBeUndefined()
    expect(findManifestProblem(counting({ 'tiny-1': { encoding: 'llama3' } }))).toBe(
      'tokenizers["tiny-1"] must be { encoding: "o200k_base" | "cl100k_base" } or { count(text) }',
    )
    expect(findManifestProblem(counting([]))).toBe('tokenizers must be an object keyed by model id')
  })

  test("the registry finds a model's tokenizer by exact id first, then the longest prefix", async () => {
    const plugin = await good()
    const exact = { encoding: 'cl100k_base' as const }
    const short = { count: () => 1 }
    const long = { count: () => 2 }
    const registry = createRegistry([{ ...plugin, tokenizers: { 'tiny-*': short, 'tiny-big-*': long, 'tiny-1': exact } }])
    expect(registry.tokenizer('tiny-1')).toBe(exact)
    expect(registry.tokenizer('tiny-big-2')).toBe(long)
    expect(registry.tokenizer('tiny-2')).toBe(short)
    expect(registry.tokenizer('other')).toBeUndefined()
  })
})
