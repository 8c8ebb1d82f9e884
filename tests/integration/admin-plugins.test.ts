import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { definePlugin, findManifestProblem, formProblems, PLUGIN_SPEC_VERSION } from '@hanggent/plugin-sdk'
import packageJson from '../../package.json' with { type: 'json' }
import { describePlugin } from '../../core/admin/plugins/plugins.ts'
import type { PluginView } from '../../schemas/admin/plugins.ts'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { testConfig } from '../support/context.ts'

// Issue 15 item 6: GET /api/plugins lists the loaded plugins (admins only) with their versions and
// what they declare; an external plugin loaded through PLUGINS (a package folder) shows its package
// version, its channel type's settings save in every field kind the form renders, and its models'
// prices (per token, per call, per unit) reach the pricing routes.

const PLUGINS = './tests/support/plugins/showcase'
const CHANNEL_KEY = 'sk-showcase-channel-key-0001'
const SETTING_SECRET = 'showcase-signing-secret-0002'

interface PricingItem {
  model: string
  inputPerMTok: number | null
  perCall: number | null
  perUnit: Record<string, number> | null
  source: string
}

describe('GET /api/plugins and an external plugin in the dashboard routes', () => {
  let gateway: TestGateway
  let userToken: string

  beforeAll(async () => {
    gateway = await startGateway({}, { plugins: testConfig({}, { PLUGINS }).plugins })
    await gateway.createUser({ username: 'plain-user', quota: 0 })
    const login = await fetch(`${gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'plain-user', password: 'password-123' }),
    })
    userToken = ((await login.json()) as { accessToken: string }).accessToken
    await gateway.createChannel({
      name: 'showcase',
      type: 'showcase',
      key: CHANNEL_KEY,
      baseUrl: 'http://127.0.0.1:9',
      models: ['showcase-chat', 'showcase-image', 'showcase-search'],
      settings: { region: 'eu-west', apiSecret: SETTING_SECRET },
    })
  }, 60_000)
  afterAll(async () => {
    await gateway?.stop()
  })

  test('a user is refused with 403, a stranger must sign in', async () => {
    expect((await fetch(`${gateway.url}/api/plugins`, { headers: { authorization: `Bearer ${userToken}` } })).status).toBe(403)
    expect((await fetch(`${gateway.url}/api/plugins`)).status).toBe(401)
  })

  test('the external plugin is listed with its package version, origin and declarations, and no secret', async () => {
    const response = await gateway.adminResponse('GET', '/api/plugins')
    expect(response.status).toBe(200)
    const text = await response.text()
    expect(text).not.toContain(CHANNEL_KEY)
    expect(text).not.toContain(SETTING_SECRET)
    const plugins = JSON.parse(text) as PluginView[]
    expect(plugins.find((plugin) => plugin.id === 'showcase')).toEqual({
      id: 'showcase',
      name: 'Showcase (test plugin)',
      version: '2.3.4',
      versionSource: 'package',
      package: { name: 'hanggent-plugin-showcase', version: '2.3.4' },
      specVersion: String(PLUGIN_SPEC_VERSION),
      hubVersion: null,
      source: 'PLUGINS',
      entry: PLUGINS,
      channelTypes: [
        { id: 'showcase', label: 'Showcase', defaultBaseUrl: 'https://api.showcase.invalid', nativeDialects: ['openai.chat'], listsModels: false },
      ],
      dialects: { client: [], upstream: [] },
      routes: [],
      models: 3,
      prices: 3,
      balanceReaders: [{ channelType: 'showcase', id: 'showcase-credits', label: 'Showcase credits' }],
      tokenizers: [{ models: 'showcase-*', tokenizer: 'custom' }],
    })
  })

  test('built-in plugins show the gateway version, their dialects and the routes they answer', async () => {
    const plugins = await gateway.admin<PluginView[]>('GET', '/api/plugins')
    expect(plugins.map((plugin) => plugin.id).slice(-1)).toEqual(['showcase'])
    const openai = plugins.find((plugin) => plugin.id === 'openai')!
    expect(openai).toMatchObject({ source: 'built-in', entry: 'openai', version: packageJson.version, versionSource: 'gateway', package: null })
    expect(openai.dialects.client).toContain('openai.chat')
    expect(openai.routes).toContainEqual({ method: 'POST', path: '/v1/chat/completions', dialect: 'openai.chat' })
    expect(openai.channelTypes.map((type) => type.id)).toContain('openai-compatible')
    const gemini = plugins.find((plugin) => plugin.id === 'gemini')!
    expect(gemini.routes.every((route) => route.dialect.startsWith('gemini'))).toBe(true)
    expect(gemini.routes.length).toBeGreaterThan(0)
  })

  test("every loaded channel type's settings render in the form (formProblems finds nothing)", async () => {
    const types = await gateway.admin<Array<{ id: string; settingsSchema: Record<string, unknown> }>>('GET', '/api/channel-types')
    expect(types.map((type) => type.id)).toContain('showcase')
    expect(Object.fromEntries(types.map((type) => [type.id, formProblems(type.settingsSchema)]))).toEqual(
      Object.fromEntries(types.map((type) => [type.id, []])),
    )
  })

  test('settings of every field kind save, a nested group included; a bad nested value names its path', async () => {
    const settings = {
      region: 'ap-south',
      apiSecret: 'another-secret',
      retries: 3,
      temperatureCap: 1.5,
      verbose: true,
      tier: 'pro',
      stopWords: ['END'],
      headers: { 'x-team': 'blue' },
      backoff: { initialMs: 250, jitter: true },
    }
    const id = await gateway.createChannel({ name: 'all kinds', type: 'showcase', key: 'k', models: ['showcase-chat'], settings })
    expect((await gateway.admin<{ settings: unknown }>('GET', `/api/channels/${id}`)).settings).toEqual(settings)
    const bad = await gateway.adminResponse('PATCH', `/api/channels/${id}`, { settings: { ...settings, backoff: { initialMs: 5 } } })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { field?: string } }).error.field).toBe('settings.backoff.initialMs')
  })

  test('its models reach the public pricing list with per-token, per-call and per-unit prices', async () => {
    const pricing = (await (await fetch(`${gateway.url}/api/pricing`)).json()) as { items: PricingItem[] }
    const showcase = pricing.items.filter((item) => item.model.startsWith('showcase-'))
    expect(showcase).toEqual([
      expect.objectContaining({ model: 'showcase-chat', inputPerMTok: 1.25, perCall: null, perUnit: null, source: 'plugin' }),
      expect.objectContaining({ model: 'showcase-image', inputPerMTok: null, perCall: 0.04, perUnit: null, source: 'plugin' }),
      expect.objectContaining({ model: 'showcase-search', inputPerMTok: 0.5, perCall: null, perUnit: { searchUnits: 0.0025 }, source: 'plugin' }),
    ])
    const { items: models } = await gateway.admin<{ items: Array<{ model: string; listPrice: { perUnit: Record<string, number> | null } | null }> }>(
      'GET',
      '/api/models?q=showcase-search',
    )
    expect(models.map((model) => [model.model, model.listPrice?.perUnit])).toEqual([['showcase-search', { searchUnits: 0.0025 }]])
  })
})

describe('describePlugin', () => {
  const loose = definePlugin({
    id: 'loose',
    specVersion: PLUGIN_SPEC_VERSION,
    name: 'Loose file',
    version: '0.9.1',
    channelTypes: [],
    models: [],
    pricing: {},
    dialects: [],
  })

  test("a plugin loaded from a loose file shows its manifest's version; one with none shows null", () => {
    expect(describePlugin(loose, { source: 'PLUGINS', entry: './loose.ts' }, [], '1.0.0')).toMatchObject({
      version: '0.9.1',
      versionSource: 'manifest',
      package: null,
    })
    const { version: _, ...unversioned } = loose
    expect(describePlugin(unversioned, { source: 'PLUGINS', entry: './loose.ts' }, [], '1.0.0')).toMatchObject({ version: null, versionSource: null })
    expect(describePlugin(unversioned, undefined, [], '1.0.0')).toMatchObject({ source: 'other', entry: null, version: null })
  })

  test('a manifest version that is not text is refused at load', () => {
    expect(findManifestProblem(loose)).toBeUndefined()
    expect(findManifestProblem({ ...loose, version: 3 })).toBe('version, when given, must be a non-empty string (e.g. "1.2.0")')
  })

  test('a package version wins over the manifest', () => {
    expect(
      describePlugin(loose, { source: 'PLUGINS', entry: 'hanggent-plugin-loose', package: { name: 'hanggent-plugin-loose', version: '1.4.0' } }, [], '1.0.0'),
    ).toMatchObject({ version: '1.4.0', versionSource: 'package', package: { name: 'hanggent-plugin-loose', version: '1.4.0' } })
  })
})
