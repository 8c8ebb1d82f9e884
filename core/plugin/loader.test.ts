import { describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { loadPlugins, loadPluginModule } from './loader.ts'
import { createRegistry } from './registry.ts'
import { findManifestProblem, PluginLoadError, validatePlugin } from './validate-plugin.ts'
import { HUB_VERSION } from '../hub/types.ts'

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

  test('a plugin with hub converters must declare the hub version it was built against, and it must be this one', async () => {
    const openai = (await loadPlugins([])).find((plugin) => plugin.id === 'openai')!
    expect(openai.hubVersion).toBe(HUB_VERSION)
    expect(findManifestProblem(openai)).toBeUndefined()
    expect(findManifestProblem({ ...openai, hubVersion: HUB_VERSION + 1 })).toBe(
      `hubVersion ${HUB_VERSION + 1} is not supported: its converters were written for hub version ${HUB_VERSION + 1}, this gateway's hub is version ${HUB_VERSION} (rebuild the plugin against this gateway's core)`,
    )
    expect(() => validatePlugin({ ...openai, hubVersion: undefined }, 'external')).toThrow(/Plugin "openai" \(external\): hubVersion is required for a plugin with hub converters/)
    // A plugin without converters (a transport only, like the loader's fixture) need not say.
    expect(findManifestProblem(await loadPluginModule(fixture('good')))).toBeUndefined()
  })

  test('balance readers need a well-formed unique id, a label, a read function and bare host names', async () => {
    const good = await loadPluginModule(fixture('good'))
    const withReaders = (balanceReaders: unknown) => ({ ...good, channelTypes: [{ ...good.channelTypes[0], balanceReaders }] })
    const reader = { id: 'tiny-credits', label: 'Tiny credits', hosts: ['api.tiny.example'], read: async () => ({ amount: 1, currency: 'USD' }) }
    expect(findManifestProblem(withReaders([reader]))).toBeUndefined()
    expect(findManifestProblem(withReaders({}))).toBe('channelTypes[0].balanceReaders must be an array')
    expect(findManifestProblem(withReaders([{ ...reader, id: 'Tiny Credits' }]))).toBe('channelTypes[0].balanceReaders[0].id must be a short lowercase word ([a-z][a-z0-9-]*)')
    expect(findManifestProblem(withReaders([reader, { ...reader }]))).toBe('channelTypes[0].balanceReaders[1].id "tiny-credits" is declared twice')
    expect(findManifestProblem(withReaders([{ ...reader, label: '' }]))).toBe('channelTypes[0].balanceReaders[0].label must be a non-empty string')
    expect(findManifestProblem(withReaders([{ ...reader, read: 'GET /credits' }]))).toBe('channelTypes[0].balanceReaders[0].read must be a function')
    expect(findManifestProblem(withReaders([{ ...reader, hosts: ['https://api.tiny.example/v1'] }]))).toBe('channelTypes[0].balanceReaders[0].hosts must be an array of lowercase host names (e.g. "openrouter.ai")')
  })

  test('two plugins claiming one channel type are refused', async () => {
    const good = await loadPluginModule(fixture('good'))
    expect(() => createRegistry([good, { ...good, id: 'tiny-copy' }])).toThrow(/channel type "tiny" is already served by plugin "tiny"/)
  })
})
