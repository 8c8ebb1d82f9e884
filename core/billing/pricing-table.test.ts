import { describe, expect, test } from 'bun:test'
import { priceUsage } from './price-usage.ts'
import { lookupPrice, priceFromRatios } from './resolve-price.ts'
import { defaultOptions, type SystemOptionValues } from '../options.ts'
import { loadPlugins } from '../plugin/loader.ts'
import { createRegistry } from '../plugin/registry.ts'
import { passthroughUsage } from '../relay/response-path.ts'

// Table-driven pricing through the real plugins: each dialect's own usage object, the plugin's list
// price or the admin's overrides, and the group ratio, down to integer units.

const registry = createRegistry(await loadPlugins([]))
const options = (patch: Partial<SystemOptionValues> = {}): SystemOptionValues => ({ ...defaultOptions(), ...patch })

function charge(dialect: string, responseBody: unknown, model: string, groupRatio = 1, settings: Partial<SystemOptionValues> = {}): number {
  const upstream = registry.upstreamDialect(dialect)
  const usage = upstream && passthroughUsage(upstream, JSON.stringify(responseBody), { now: () => 0, newId: (prefix) => `${prefix}1` }).usage
  if (!usage) throw new Error(`${dialect} read no usage`)
  const found = lookupPrice(options(settings), registry.listPrice, model)
  if (!found) throw new Error(`no price for ${model}`)
  return priceUsage(usage, found.price, groupRatio).units
}

describe('pricing table', () => {
  test('OpenAI-style usage: cached tokens are inside prompt_tokens and are not charged twice', () => {
    // gpt-4o: 2.50 in / 10 out / 1.25 cached per 1M. 176 uncached × 2.5 + 1024 cached × 1.25 + 300 out × 10 = 4720 µUSD → 2360 units.
    const body = {
      usage: {
        prompt_tokens: 1200,
        completion_tokens: 300,
        total_tokens: 1500,
        prompt_tokens_details: { cached_tokens: 1024 },
        completion_tokens_details: { reasoning_tokens: 100 },
      },
    }
    expect(charge('openai.chat', body, 'gpt-4o-2024-08-06')).toBe(2360)
  })

  test('Responses usage follows the same convention', () => {
    const body = {
      usage: {
        input_tokens: 1200,
        input_tokens_details: { cached_tokens: 1024 },
        output_tokens: 300,
        output_tokens_details: { reasoning_tokens: 100 },
        total_tokens: 1500,
      },
    }
    expect(charge('openai.responses', body, 'gpt-4o')).toBe(2360)
  })

  test('Anthropic-style usage: cache reads and writes are reported beside input_tokens and each has its price', () => {
    // claude-sonnet-4-5: 3 in / 15 out / 0.30 cache read / 3.75 cache write per 1M.
    // 176 × 3 + 1024 × 0.3 + 2048 × 3.75 + 300 × 15 = 13,015.2 µUSD → 6,507.6 → 6,508 units.
    const body = { usage: { input_tokens: 176, cache_read_input_tokens: 1024, cache_creation_input_tokens: 2048, output_tokens: 300 } }
    expect(charge('claude.messages', body, 'claude-sonnet-4-5-20250929')).toBe(6508)
  })

  test('Gemini usage: cached tokens inside promptTokenCount, thoughts billed as output', () => {
    // gemini-2.5-flash: 0.30 in / 2.50 out / 0.03 cached per 1M.
    // 176 × 0.3 + 1024 × 0.03 + (200 + 100 thoughts) × 2.5 = 833.52 µUSD → 416.76 → 417 units.
    const body = {
      usageMetadata: { promptTokenCount: 1200, cachedContentTokenCount: 1024, candidatesTokenCount: 200, thoughtsTokenCount: 100, totalTokenCount: 1500 },
    }
    expect(charge('gemini.generate', body, 'gemini-2.5-flash')).toBe(417)
  })

  test('a group ratio multiplies the whole charge', () => {
    const body = { usage: { prompt_tokens: 1_000_000, completion_tokens: 1_000_000, total_tokens: 2_000_000 } }
    // gpt-4o-mini: 0.15 + 0.60 = 0.75 USD = 375,000 units; vip at 0.8 → 300,000.
    expect(charge('openai.chat', body, 'gpt-4o-mini', 1)).toBe(375_000)
    expect(charge('openai.chat', body, 'gpt-4o-mini', 0.8)).toBe(300_000)
  })

  test('embeddings are charged for input only', () => {
    // text-embedding-3-small: 0.02 per 1M → 9 tokens is a fraction of a unit, charged as the 1-unit minimum.
    expect(charge('openai.embeddings', { usage: { prompt_tokens: 9, total_tokens: 9 } }, 'text-embedding-3-small')).toBe(1)
    expect(charge('openai.embeddings', { usage: { prompt_tokens: 10_000_000, total_tokens: 10_000_000 } }, 'text-embedding-3-small')).toBe(100_000)
  })

  test('a per-call price ignores tokens and takes the group ratio', () => {
    const settings = { modelPrices: { 'dall-e-3': { perCall: 0.04 } } }
    expect(charge('openai.chat', { usage: { prompt_tokens: 5000, completion_tokens: 5000 } }, 'dall-e-3', 1, settings)).toBe(20_000)
    expect(charge('openai.chat', { usage: { prompt_tokens: 5000, completion_tokens: 5000 } }, 'dall-e-3', 1.5, settings)).toBe(30_000)
  })

  test('New API ratios: modelRatio 1 is 2 USD per 1M input, completionRatio scales output', () => {
    expect(priceFromRatios({ modelRatio: 0.075, completionRatio: 4, cacheRatio: 0.5, cacheWriteRatio: 1.25 })).toEqual({
      inputPerMTok: 0.15,
      outputPerMTok: 0.6,
      cacheReadPerMTok: 0.075,
      cacheWritePerMTok: 0.1875,
    })
    const settings = { modelRatios: { 'house-model': { modelRatio: 0.075, completionRatio: 4 } } }
    expect(charge('openai.chat', { usage: { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 } }, 'house-model', 1, settings)).toBe(375_000)
  })

  test('precedence: USD override, then ratios, then the plugin list price; self-use mode prices the rest at zero', () => {
    const settings = options({
      modelPrices: { 'gpt-4o': { inputPerMTok: 1, outputPerMTok: 1 } },
      modelRatios: { 'gpt-4o': { modelRatio: 10 }, 'gpt-4o-mini': { modelRatio: 10 } },
    })
    expect(lookupPrice(settings, registry.listPrice, 'gpt-4o')).toEqual({ price: { inputPerMTok: 1, outputPerMTok: 1 }, source: 'override' })
    expect(lookupPrice(settings, registry.listPrice, 'gpt-4o-mini')?.source).toBe('ratio')
    expect(lookupPrice(settings, registry.listPrice, 'gpt-4.1-mini')?.source).toBe('plugin')
    expect(lookupPrice(settings, registry.listPrice, 'my-local-llama')).toBeUndefined()
    expect(lookupPrice(options({ selfUseMode: true }), registry.listPrice, 'my-local-llama')).toEqual({ price: {}, source: 'self-use' })
  })
})
