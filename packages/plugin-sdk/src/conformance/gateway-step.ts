// The gateway step of the conformance kit: a real gateway process loads the plugin, a channel of the
// plugin's type points at the kit's fake upstream, and the official OpenAI, Anthropic and Google SDKs
// call it; the fake answers each call with a recorded fixture, and what each client sees is checked
// against the fixture's expectation (text and tool calls).
import { isAbsolute, relative } from 'node:path'
import type { PluginDefinition } from '../contract.ts'
import type { HubTool } from '../hub.ts'
import type { ConformanceCase, ExpectedAnswer, GatewayStepConfig } from './case-file.ts'
import { findMismatch } from './expect-subset.ts'
import { startFakeUpstream, type FakeUpstream, type RecordedAnswer } from './fake-upstream.ts'
import { startKitGateway, type KitGateway } from './gateway-process.ts'
import { CLIENTS, type ClientAnswer } from './sdk-clients.ts'

/** What the gateway step found. */
export interface GatewayStepOutcome {
  /** One message per failed client call, naming the fixture and the client. */
  failures: string[]
  /** One line per client call that passed. */
  passed: string[]
}

/** True when the plugin is one of the gateway's own built-ins (already loaded without PLUGINS). */
function isBuiltin(gatewayRoot: string, pluginFolder: string): boolean {
  const path = relative(`${gatewayRoot}/plugins`, pluginFolder)
  return path !== '' && !path.startsWith('..') && !isAbsolute(path)
}

/** The tools a client offers for a case: the fixture request's, else one permissive tool per expected call. */
function toolsFor(testCase: ConformanceCase, expected: ExpectedAnswer): HubTool[] {
  if (testCase.file.request?.tools?.length) return testCase.file.request.tools
  const names = [...new Set((expected.toolCalls ?? []).map((call) => call.name))]
  return names.map((name) => ({ name, description: `Tool ${name}`, parameters: { type: 'object', properties: {} } }))
}

/** The part of an expectation a client can see: text and tool calls (name, arguments). */
function visiblePart(expected: ExpectedAnswer): Record<string, unknown> {
  const visible: Record<string, unknown> = {}
  if (expected.text !== undefined) visible.text = expected.text
  if (expected.toolCalls !== undefined)
    visible.toolCalls = expected.toolCalls.map((call) => ({ name: call.name, ...(call.arguments !== undefined ? { arguments: call.arguments } : {}) }))
  return visible
}

/** The cases the gateway replays: the configured ones, else every case in the step's dialect with something to replay. */
function replayedCases(cases: ConformanceCase[], config: GatewayStepConfig): ConformanceCase[] {
  if (config.cases) return config.cases.map((name) => cases.find((entry) => entry.name === name) ?? { name, file: {} })
  return cases.filter((entry) => entry.file.dialect === config.dialect && (entry.response !== undefined || entry.stream !== undefined) && entry.file.expect)
}

/** Replays one case through one client, streamed or not; a failure message, or undefined. */
async function replay(
  gateway: KitGateway,
  fake: FakeUpstream,
  key: string,
  config: GatewayStepConfig,
  testCase: ConformanceCase,
  client: keyof typeof CLIENTS,
  stream: boolean,
): Promise<string | undefined> {
  const expected = (stream ? testCase.file.expectStream : undefined) ?? testCase.file.expect ?? {}
  const answer: RecordedAnswer = stream
    ? { status: 200, contentType: config.streamContentType ?? 'text/event-stream', body: testCase.stream! }
    : { status: 200, contentType: 'application/json', body: JSON.stringify(testCase.response) }
  fake.answer(answer)
  const before = fake.received.length
  const label = `fixture "${testCase.name}" (gateway, ${client}${stream ? ', streamed' : ''})`
  let seen: ClientAnswer
  try {
    seen = await CLIENTS[client]({ url: gateway.url, key, model: config.model, stream, tools: toolsFor(testCase, expected) })
  } catch (error) {
    return `${label}: the call failed: ${error instanceof Error ? error.message : String(error)}`
  }
  if (fake.received.length === before) return `${label}: the gateway answered without calling the upstream`
  const mismatch = findMismatch(visiblePart(expected), seen)
  return mismatch ? `${label}: ${mismatch.message}` : undefined
}

/** Runs the step: start the fake and the gateway, create a channel and a key, replay each case through each client. */
export async function runGatewayStep(
  plugin: PluginDefinition,
  pluginFolder: string,
  cases: ConformanceCase[],
  config: GatewayStepConfig,
  gatewayRoot: string,
): Promise<GatewayStepOutcome> {
  const outcome: GatewayStepOutcome = { failures: [], passed: [] }
  const fake = await startFakeUpstream()
  let gateway: KitGateway | undefined
  try {
    gateway = await startKitGateway(gatewayRoot, isBuiltin(gatewayRoot, pluginFolder) ? undefined : pluginFolder)
    await gateway.admin('PATCH', '/api/options', { selfUseMode: true })
    await gateway.admin('POST', '/api/channels', {
      name: `conformance-${plugin.id}`,
      type: config.channelType,
      key: 'conformance-upstream-key',
      baseUrl: fake.url,
      models: [config.model],
      settings: config.settings ?? {},
    })
    const { key } = await gateway.admin<{ key: string }>('POST', '/api/tokens', { name: 'conformance', quota: 1_000_000_000 })
    for (const testCase of replayedCases(cases, config)) {
      if (testCase.file.dialect !== config.dialect || !testCase.file.expect) {
        const why =
          testCase.file.dialect === undefined
            ? 'there is no such case with a dialect'
            : testCase.file.dialect !== config.dialect
              ? `it is in dialect "${testCase.file.dialect}", not the step's "${config.dialect}"`
              : 'it has no "expect"'
        outcome.failures.push(`fixture "${testCase.name}" (gateway): conformance.json gateway.cases names it, but ${why}`)
        continue
      }
      for (const client of Object.keys(CLIENTS) as Array<keyof typeof CLIENTS>) {
        for (const stream of [false, true]) {
          if (stream ? !testCase.stream : testCase.response === undefined) continue
          const failure = await replay(gateway, fake, key, config, testCase, client, stream)
          if (failure) outcome.failures.push(failure)
          else outcome.passed.push(`fixture "${testCase.name}" (gateway, ${client}${stream ? ', streamed' : ''})`)
        }
      }
    }
  } catch (error) {
    outcome.failures.push(`gateway: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    await gateway?.stop()
    await fake.stop()
  }
  return outcome
}
