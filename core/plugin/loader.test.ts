import { describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { loadPlugins, loadPluginModule } from './loader.ts'
import { createRegistry } from './registry.ts'
import { findManifestProblem, PluginLoadError, validatePlugin } from './validate-plugin.ts'
import { HUB_VERSION, PLUGIN_SPEC_VERSION } from '@hanggent/plugin-sdk'
import type { DialectCodec } from '@hanggent/plugin-sdk'

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}.ts`, import.meta.url))
const gatewayRoot = fileURLToPath(new URL('../..', import.meta.url))

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

  test('a wrong spec version fails with the plugin id, the version it declared and the versions accepted', async () => {
    const load = loadPluginModule(fixture('bad-spec-version'))
    await expect(load).rejects.toBeInstanceOf(PluginLoadError)
    await expect(loadPluginModule(fixture('bad-spec-version'))).rejects.toThrow(
      `Plugin "future" (${fixture('bad-spec-version')}): specVersion "2.0" is not supported: this gateway accepts contract versions 1.0 to ${PLUGIN_SPEC_VERSION} (plugin SDK ${PLUGIN_SPEC_VERSION}); contract 2.x is another major version (upgrade the gateway)`,
    )
  })

  test('an older minor of the same major, and a bare major (contract 1 before "major.minor"), still load', async () => {
    expect((await loadPluginModule(fixture('older-minor'))).id).toBe('older')
    expect((await loadPluginModule(fixture('good'))).specVersion).toBe(1)
  })

  test('bad pricing data fails naming the model and field', async () => {
    await expect(loadPluginModule(fixture('bad-price'))).rejects.toThrow(/Plugin "badprice".*pricing\["model-x"\]\.inputPerMTok must be a non-negative number/)
  })

  test('a PLUGINS entry that cannot be found names the entry and both places entries are looked for', async () => {
    const cwd = process.cwd()
    const installed = join(gatewayRoot, 'node_modules', 'hanggent-plugin-that-does-not-exist')
    await expect(loadPluginModule('hanggent-plugin-that-does-not-exist')).rejects.toThrow(
      `Plugin "hanggent-plugin-that-does-not-exist": cannot be found. A bare package name resolves from the gateway's own install: nothing at ${installed} ` +
        `(install it there, e.g. \`npm install hanggent-plugin-that-does-not-exist\` in ${gatewayRoot}). A path resolves from the working directory (${cwd}) and must start with ./, ../ or /. ` +
        `Nothing at ${join(cwd, 'hanggent-plugin-that-does-not-exist')} either.`,
    )
    await expect(loadPluginModule('./plugins-elsewhere/mine.ts', gatewayRoot)).rejects.toThrow(
      `Plugin "./plugins-elsewhere/mine.ts": cannot be found. A path resolves from the working directory (${gatewayRoot}): nothing at ${join(gatewayRoot, 'plugins-elsewhere/mine.ts')}. ` +
        `A bare package name would resolve from the gateway's own install instead (${join(gatewayRoot, 'node_modules')}).`,
    )
    // A folder written without ./ is read as a package name; the message says how to load it as a path.
    await expect(loadPluginModule('examples/plugins/parrot', gatewayRoot)).rejects.toThrow(
      `A folder ${join(gatewayRoot, 'examples/plugins/parrot')} exists: write "./examples/plugins/parrot" to load it as a path.`,
    )
  })

  test('a plugin that exists but fails to import is not reported as missing', async () => {
    await expect(loadPluginModule(fixture('throws-at-import'))).rejects.toThrow(
      /Plugin ".*throws-at-import\.ts": cannot be imported: network at import time is not allowed/,
    )
  })

  test('a plugin folder given as a path loads through its package.json', async () => {
    const plugin = await loadPluginModule('./examples/plugins/parrot', gatewayRoot)
    expect(plugin.id).toBe('parrot')
  })

  test('a dialect without routes needs no client side, only its upstream half', async () => {
    const parrot = await loadPluginModule('./examples/plugins/parrot', gatewayRoot)
    expect(findManifestProblem(parrot)).toBeUndefined()
    const upstreamOnly = parrot.dialects[0]!
    const withDialect = (dialect: Record<string, unknown>) => ({ ...parrot, dialects: [dialect] })
    expect(findManifestProblem(withDialect({ ...upstreamOnly, hub: undefined }))).toBe(
      'dialects[0] (parrot.generate).hub is required for a dialect without routes (it is only reached through the hub); declare routes to serve clients in it',
    )
    expect(findManifestProblem(withDialect({ ...upstreamOnly, hub: { ...upstreamOnly.hub, decodeStream: undefined } }))).toBe(
      'dialects[0] (parrot.generate).hub.decodeStream must be a function',
    )
    expect(findManifestProblem(withDialect({ ...upstreamOnly, readUpstreamError: undefined }))).toBe(
      'dialects[0] (parrot.generate).readUpstreamError must be a function',
    )
    // Declaring routes means serving clients: then the client side is required as before.
    expect(findManifestProblem(withDialect({ ...upstreamOnly, routes: [{ method: 'POST', path: '/v1/parrot' }] }))).toBe(
      'dialects[0] (parrot.generate).readKey must be a function',
    )
    // The registry keeps it for upstream calls but mounts nothing for it.
    const registry = createRegistry([...(await loadPlugins([])), parrot])
    expect(registry.upstreamDialect('parrot.generate')?.hub).toBeDefined()
    expect(registry.dialect('parrot.generate')).toBeUndefined()
    expect(registry.routes().some((route) => route.codec.dialect === 'parrot.generate')).toBe(false)
  })

  test('two plugins declaring one route stop the load naming both, unless the operator names the owner', async () => {
    const builtins = await loadPlugins([])
    const claimer = await loadPluginModule('./examples/plugins/route-claimer', gatewayRoot)
    expect(() => createRegistry([...builtins, claimer])).toThrow(
      'Route POST /v1/chat/completions is declared by plugin "openai" (dialect openai.chat) and plugin "route-claimer" (dialect claimer.chat). Choose its owner with PLUGIN_ROUTE_OWNERS=',
    )
    const owner = (routeOwners: Record<string, string>) =>
      createRegistry([...builtins, claimer], { routeOwners })
        .routes()
        .find((route) => route.path === '/v1/chat/completions')
    expect(owner({ 'POST /v1/chat/completions': 'route-claimer' })).toMatchObject({ pluginId: 'route-claimer', codec: { dialect: 'claimer.chat' } })
    expect(owner({ 'POST /v1/chat/completions': 'openai' })).toMatchObject({ pluginId: 'openai', codec: { dialect: 'openai.chat' } })
    expect(() => createRegistry(builtins, { routeOwners: { 'POST /v1/nothing': 'openai' } })).toThrow(
      'PLUGIN_ROUTE_OWNERS: no loaded plugin declares the route "POST /v1/nothing"',
    )
    // Routes that differ only in their parameter names are the same route.
    const shadow = {
      ...claimer,
      id: 'shadow',
      dialects: [
        { ...(claimer.dialects[0] as DialectCodec), dialect: 'shadow.generate', routes: [{ method: 'POST' as const, path: '/v1beta/models/:model' }] },
      ],
    }
    expect(() => createRegistry([...builtins, shadow])).toThrow(
      'Route POST /v1beta/models/:modelAction is declared by plugin "gemini" (dialect gemini.generate) and plugin "shadow" (dialect shadow.generate)',
    )
  })

  test('routes the gateway answers itself (admin API, model list, billing, health) cannot be declared by a plugin', async () => {
    const builtins = await loadPlugins([])
    const claimer = await loadPluginModule('./examples/plugins/route-claimer', gatewayRoot)
    const claiming = (method: 'GET' | 'POST', path: string) => ({
      ...claimer,
      id: 'grabber',
      dialects: [{ ...(claimer.dialects[0] as DialectCodec), dialect: 'grabber.chat', routes: [{ method, path }] }],
    })
    expect(() => createRegistry([...builtins, claiming('GET', '/v1/models')])).toThrow(
      'Route GET /v1/models is declared by plugin "grabber" (dialect grabber.chat), but the gateway answers it itself (the model list); a plugin cannot take it over',
    )
    expect(() => createRegistry([...builtins, claiming('POST', '/api/users')])).toThrow('(the admin API and its documentation)')
    expect(() => createRegistry([...builtins, claiming('GET', '/dashboard/billing/usage')])).toThrow('(the OpenAI-style billing routes)')
    expect(() => createRegistry([...builtins, claiming('GET', '/health')])).toThrow('(health checks and the dashboard)')
    // A route of its own is fine.
    expect(
      createRegistry([...builtins, claiming('POST', '/v1/grab')])
        .routes()
        .some((route) => route.path === '/v1/grab'),
    ).toBe(true)
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
    expect(() => validatePlugin({ ...openai, hubVersion: undefined }, 'external')).toThrow(
      /Plugin "openai" \(external\): hubVersion is required for a plugin with hub converters/,
    )
    // A plugin without converters (a transport only, like the loader's fixture) need not say.
    expect(findManifestProblem(await loadPluginModule(fixture('good')))).toBeUndefined()
  })

  test('balance readers need a well-formed unique id, a label, a read function and bare host names', async () => {
    const good = await loadPluginModule(fixture('good'))
    const withReaders = (balanceReaders: unknown) => ({ ...good, channelTypes: [{ ...good.channelTypes[0], balanceReaders }] })
    const reader = { id: 'tiny-credits', label: 'Tiny credits', hosts: ['api.tiny.example'], read: async () => ({ amount: 1, currency: 'USD' }) }
    expect(findManifestProblem(withReaders([reader]))).toBeUndefined()
    expect(findManifestProblem(withReaders({}))).toBe('channelTypes[0].balanceReaders must be an array')
    expect(findManifestProblem(withReaders([{ ...reader, id: 'Tiny Credits' }]))).toBe(
      'channelTypes[0].balanceReaders[0].id must be a short lowercase word ([a-z][a-z0-9-]*)',
    )
    expect(findManifestProblem(withReaders([reader, { ...reader }]))).toBe('channelTypes[0].balanceReaders[1].id "tiny-credits" is declared twice')
    expect(findManifestProblem(withReaders([{ ...reader, label: '' }]))).toBe('channelTypes[0].balanceReaders[0].label must be a non-empty string')
    expect(findManifestProblem(withReaders([{ ...reader, read: 'GET /credits' }]))).toBe('channelTypes[0].balanceReaders[0].read must be a function')
    expect(findManifestProblem(withReaders([{ ...reader, hosts: ['https://api.tiny.example/v1'] }]))).toBe(
      'channelTypes[0].balanceReaders[0].hosts must be an array of lowercase host names (e.g. "openrouter.ai")',
    )
  })

  test('a client-only dialect (contract 1.5) is served but never sent upstream, and no transport may list it as native', async () => {
    const memo = await loadPluginModule('./examples/plugins/memo', gatewayRoot)
    expect(findManifestProblem(memo)).toBeUndefined()
    const builtIns = await loadPlugins([])
    const registry = createRegistry([...builtIns, memo])
    expect(registry.dialect('memo.chat')?.routes).toEqual([{ method: 'POST', path: '/memo/v1/chat' }])
    expect(registry.upstreamDialect('memo.chat')).toBeUndefined()
    expect(registry.passthrough('memo.chat')).toBeUndefined()
    expect(registry.passthrough('openai.chat')?.upstream.dialect).toBe('openai.chat')
    // A channel type that lists it as native is refused at load, naming both plugins.
    const openai = builtIns.find((plugin) => plugin.id === 'openai')!
    const [first, ...rest] = openai.channelTypes
    const listsMemo = { ...openai, channelTypes: [{ ...first!, transport: { ...first!.transport, nativeDialects: ['memo.chat', 'openai.chat'] } }, ...rest] }
    expect(() => createRegistry([...builtIns.filter((plugin) => plugin !== openai), listsMemo, memo])).toThrow(
      `Plugin "openai": channel type "${first!.id}" lists "memo.chat" as native, but plugin "memo" declares that dialect client-only (role: 'client'), so it is never sent upstream as it is`,
    )
    // The manifest keeps the roles apart: a client-only entry needs the hub's client side and brings nothing of the upstream role.
    const entry = memo.dialects[0]!
    const withDialect = (dialect: Record<string, unknown>) => ({ ...memo, dialects: [dialect] })
    expect(findManifestProblem(withDialect({ ...entry, hub: undefined }))).toBe(
      'dialects[0] (memo.chat).hub is required for a client-only dialect: every call in it is converted through the hub',
    )
    expect(findManifestProblem(withDialect({ ...entry, readUpstreamError: () => ({ message: 'x' }) }))).toBe(
      'dialects[0] (memo.chat).readUpstreamError belongs to the upstream role, which a client-only dialect does not have (it is never sent upstream as it is)',
    )
    expect(findManifestProblem(withDialect({ ...entry, role: 'server' }))).toBe(
      "dialects[0] (memo.chat).role must be 'client' (a dialect with both roles declares none)",
    )
    // Without the marker it is read as a dialect with both roles, which needs the upstream role's error reader.
    expect(findManifestProblem(withDialect({ ...entry, role: undefined }))).toBe('dialects[0] (memo.chat).readUpstreamError must be a function')
  })

  test('two plugins claiming one channel type are refused', async () => {
    const good = await loadPluginModule(fixture('good'))
    expect(() => createRegistry([good, { ...good, id: 'tiny-copy' }])).toThrow(/channel type "tiny" is already served by plugin "tiny"/)
  })
})
