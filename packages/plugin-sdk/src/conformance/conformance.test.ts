import { afterAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { conformance } from './index.ts'

// The kit against Tiny Vendor (test-fixtures/tiny-vendor, a made-up provider with an NDJSON stream) and
// five copies of it, each broken in one way: every failure must name the fixture (or manifest part)
// and the field, so the author knows what to fix.

const fixture = (name: string) => fileURLToPath(new URL(`../../test-fixtures/${name}`, import.meta.url))

describe('conformance kit: codec, pricing, settings and manifest checks', () => {
  test('a correct plugin conforms: every fixture step runs and passes', async () => {
    const report = await conformance(fixture('tiny-vendor'))
    expect(report.failures).toEqual([])
    expect(report.passed).toEqual([
      'manifest and contract version',
      'pricing (1 models)',
      'settings forms (1 channel types)',
      'dialect roles (tiny-vendor.chat)',
      'fixture "accents": result decode, stream decode at every byte offset',
      'fixture "error-quota": error reading',
      'fixture "weather-call": request build, result decode, stream decode at every byte offset',
    ])
  })

  test('a codec that drops tool calls fails naming the fixture and toolCalls, whole and streamed', async () => {
    const report = await conformance(fixture('drops-tool-calls'))
    const expected = 'toolCalls has 0 entries, expected 1 (first expected: {"name":"get_weather","arguments":{"city":"Paris"}})'
    expect(report.failures).toEqual([`fixture "weather-call" (result decode): ${expected}`, `fixture "weather-call" (stream decode, whole body): ${expected}`])
  })

  test('a stream framer that breaks a UTF-8 character split across chunks fails naming the fixture, the byte and the text', async () => {
    const report = await conformance(fixture('splits-utf8'))
    expect(report.failures).toEqual([
      'fixture "accents" (stream decode, chunk boundary at byte 26 of 147, inside a UTF-8 character): text is "Cr\uFFFD\uFFFDme brûlée à Paris — 東京 🍮", expected "Crème brûlée à Paris — 東京 🍮"',
    ])
  })

  test('a model without a price or a stated reason fails naming the model', async () => {
    const report = await conformance(fixture('missing-price'))
    expect(report.failures).toEqual([
      'pricing: model "missing-price-2" has no price: add pricing["missing-price-2"] (or a "prefix*" key), or give the reason in conformance.json unpriced["missing-price-2"]',
    ])
  })

  test('a settings schema the dashboard cannot render fails naming the channel type and the field', async () => {
    const report = await conformance(fixture('unrenderable-settings'))
    expect(report.failures).toHaveLength(1)
    expect(report.failures[0]).toStartWith(
      'channel type "unrenderable-settings" settings.fallbacks: an array whose items are not strings cannot be rendered as a form field',
    )
  })

  test('a push decoder (contract 1.3) is run on every stream fixture one event at a time', async () => {
    const report = await conformance(fixture('push-decoder'))
    expect(report.failures).toEqual([])
    expect(report.passed).toContain('fixture "weather-call": request build, result decode, stream decode at every byte offset, push decoder')
  })

  test('a push decoder that would let a passthrough watcher skip the usage fails naming the fixture and the event', async () => {
    const report = await conformance(fixture('defers-usage'))
    expect(report.failures).toEqual([
      'fixture "accents" (push decoder): canDefer answered true for an event that gives a usage event ({"type":"end","stop":"done","meter":{"in":5,"out":11}})',
      'fixture "weather-call" (push decoder): canDefer answered true for an event that gives a usage event ({"type":"end","stop":"call","meter":{"in":12,"out":9}})',
    ])
  })

  test('a wrong spec version fails with the version declared and the versions accepted, and nothing else runs', async () => {
    const report = await conformance(fixture('wrong-spec-version'))
    expect(report.failures).toEqual([
      'manifest: specVersion "2.0" is not supported: this gateway accepts contract versions 1.0 to 1.5 (plugin SDK 1.5); contract 2.x is another major version (upgrade the gateway)',
    ])
    expect(report.passed).toEqual([])
  })
})

const scratch = mkdtempSync(join(tmpdir(), 'conformance-kit-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** A plugin folder holding Tiny Vendor (its model claiming tools only when asked) with these case files in its conformance/ folder. */
function pluginWithCases(name: string, cases: Record<string, unknown>, options: { claimsTools?: boolean } = {}): string {
  const folder = join(scratch, name)
  mkdirSync(join(folder, 'conformance'), { recursive: true })
  const capabilities = JSON.stringify(options.claimsTools ? ['chat', 'tools'] : ['chat'])
  writeFileSync(
    join(folder, 'index.ts'),
    `import { tinyVendorPlugin } from '${fixture('tiny-vendor/tiny-vendor.ts')}'\nexport default { ...tinyVendorPlugin('tiny-vendor'), models: [{ id: 'tiny-vendor-1', capabilities: ${capabilities} }] }\n`,
  )
  for (const [file, body] of Object.entries(cases)) writeFileSync(join(folder, 'conformance', `${file}.case.json`), JSON.stringify(body))
  return folder
}

describe('conformance kit: transport cases and malformed fixtures', () => {
  const transport = (headers: Record<string, string>) => ({
    transport: {
      channelType: 'tiny-vendor',
      channel: { baseUrl: 'https://eu.tiny-vendor.example', key: 'tv-key' },
      call: { dialect: 'tiny-vendor.chat', endpoint: 'chat', model: 'tiny-vendor-1', stream: false, body: { model: 'tiny-vendor-1' } },
      expect: { url: 'https://eu.tiny-vendor.example/v1/chat', headers },
    },
  })

  test('a transport case checks the built request and names the header that differs', async () => {
    expect((await conformance(pluginWithCases('transport-ok', { auth: transport({ 'x-tiny-key': 'tv-key' }) }))).failures).toEqual([])
    const report = await conformance(pluginWithCases('transport-bad', { auth: transport({ authorization: 'Bearer tv-key' }) }))
    expect(report.failures).toEqual(['fixture "auth" (transport): request.headers.authorization is missing, expected "Bearer tv-key"'])
  })

  test('models that claim tools need a fixture recording a tool call', async () => {
    const report = await conformance(
      pluginWithCases(
        'no-tool-case',
        {
          quota: { dialect: 'tiny-vendor.chat', error: { status: 429, body: { fault: { text: 'Out of credit' } } }, expectError: { message: 'Out of credit' } },
        },
        { claimsTools: true },
      ),
    )
    expect(report.failures).toEqual(['fixtures: models claim tools ("tiny-vendor-1") but no case in conformance/ records a tool call (expect.toolCalls)'])
  })

  test('a prompt-estimate case needs a client dialect: an upstream-only one has no estimatePrompt', async () => {
    const report = await conformance(
      pluginWithCases('estimate-upstream-only', { estimate: { dialect: 'tiny-vendor.chat', estimate: { body: {}, expect: {} } } }),
    )
    expect(report.failures).toEqual(['fixture "estimate" (prompt estimate): dialect "tiny-vendor.chat" declares no routes, so it has no estimatePrompt'])
  })

  test('a case pointing at a missing file, or checking nothing, names the case', async () => {
    const missing = await conformance(pluginWithCases('missing-file', { gone: { dialect: 'tiny-vendor.chat', stream: 'gone.ndjson', expect: { text: '' } } }))
    expect(missing.failures).toEqual([`fixture "gone" (gone.case.json) stream: no file at ${join(scratch, 'missing-file', 'conformance', 'gone.ndjson')}`])
    const idle = await conformance(pluginWithCases('idle', { idle: { dialect: 'tiny-vendor.chat', response: { output: [] } } }))
    expect(idle.failures).toEqual([
      'fixture "idle": checks nothing (give request + upstreamRequest, response + expect, stream + expect or expectStream, or error + expectError)',
    ])
  })
})

describe('conformance kit: the gateway step (a real gateway process, the official SDKs)', () => {
  test('the correct plugin answers all three SDKs, whole and streamed; its NDJSON stream reaches them through frameStream', async () => {
    const report = await conformance(fixture('tiny-vendor'), { gateway: true })
    expect(report.failures).toEqual([])
    const clients = ['OpenAI SDK chat', 'Anthropic SDK messages', 'Google Gen AI SDK generateContent']
    for (const name of ['accents', 'weather-call']) {
      for (const client of clients) {
        expect(report.passed).toContain(`fixture "${name}" (gateway, ${client})`)
        expect(report.passed).toContain(`fixture "${name}" (gateway, ${client}, streamed)`)
      }
    }
  }, 90_000)

  test('what a client sees is checked: tool calls a codec drops are missing in every SDK', async () => {
    const report = await conformance(fixture('drops-tool-calls'), { gateway: true })
    const gatewayFailures = report.failures.filter((failure) => failure.includes('(gateway, '))
    expect(gatewayFailures).toHaveLength(6)
    expect(gatewayFailures).toContain(
      'fixture "weather-call" (gateway, Anthropic SDK messages, streamed): toolCalls has 0 entries, expected 1 (first expected: {"name":"get_weather","arguments":{"city":"Paris"}})',
    )
  }, 90_000)
})
