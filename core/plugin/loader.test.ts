import { describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { loadPlugins, loadPluginModule } from './loader.ts'
import { createRegistry } from './registry.ts'
import { findManifestProblem, PluginLoadError } from './validate-plugin.ts'

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}.ts`, import.meta.url))

describe('plugin loader', () => {
  test('loads the built-in plugins from plugins/*', async () => {
    const plugins = await loadPlugins([])
    expect(plugins.map((plugin) => plugin.id)).toContain('openai')
  })

  test('loads an external plugin by path next to the built-ins', async () => {
    const registry = createRegistry(await loadPlugins([fixture('good')]))
    expect(registry.channelType('tiny')?.plugin.id).toBe('tiny')
    expect(registry.listPrice('tiny-1')).toEqual({ inputPerMTok: 1, outputPerMTok: 2 })
    expect(registry.listPrice('tiny-2')).toEqual({ inputPerMTok: 3 })
  })

  test('a wrong spec version fails with the plugin id and the reason', async () => {
    const load = loadPluginModule(fixture('bad-spec-version'))
    await expect(load).rejects.toBeInstanceOf(PluginLoadError)
    await expect(loadPluginModule(fixture('bad-spec-version'))).rejects.toThrow(/Plugin "future".*specVersion 99 is not supported/)
  })

  test('bad pricing data fails naming the model and field', async () => {
    await expect(loadPluginModule(fixture('bad-price'))).rejects.toThrow(/Plugin "badprice".*pricing\["model-x"\]\.inputPerMTok must be a non-negative number/)
  })

  test('a module that cannot be imported names the specifier', async () => {
    await expect(loadPluginModule('hanggent-plugin-that-does-not-exist')).rejects.toThrow(/Plugin "hanggent-plugin-that-does-not-exist": cannot be imported/)
  })

  test('a model listing must bring both of its functions', async () => {
    const good = await loadPluginModule(fixture('good'))
    const withListing = (modelListing: unknown) => ({ ...good, channelTypes: [{ ...good.channelTypes[0], modelListing }] })
    expect(findManifestProblem(withListing({ buildRequest: () => ({}) }))).toBe('channelTypes[0].modelListing must have buildRequest and parsePage functions')
    expect(findManifestProblem(withListing({ buildRequest: () => ({}), parsePage: () => ({ models: [] }) }))).toBeUndefined()
  })

  test('two plugins claiming one channel type are refused', async () => {
    const good = await loadPluginModule(fixture('good'))
    expect(() => createRegistry([good, { ...good, id: 'tiny-copy' }])).toThrow(/channel type "tiny" is already served by plugin "tiny"/)
  })
})
