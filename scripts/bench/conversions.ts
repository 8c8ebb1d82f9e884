// Conversion scenarios (`--scenarios conversions`): what a cross-dialect call costs compared with
// passthrough, on the gateway only. They need an upstream that speaks more than chat completions, so
// they use the fixture-replaying fake (scripts/bench/fake-upstream.ts) through two extra channels:
// `gpt-4o-mini-conv` on an openai channel (Chat and Responses natively) and `gpt-4o-mini-compat` on an
// openai-compatible one (Chat only, so Responses clients are converted through the hub).
import { startService, stopService } from './child-processes.ts'
import type { Gateway } from './gateway-under-test.ts'
import { bodyFile, runLoad, type LoadResult } from './run-load.ts'
import { describeFailures, formatTable, median } from './summary.ts'

/** One conversion scenario: a path and a body sent to the gateway. */
interface Scenario {
  name: string
  path: string
  body: unknown
  /** The scenario this one is compared with. */
  baseline?: string
}

/** The median results of one scenario. */
export interface ConversionSummary {
  name: string
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  failures: string
  percentOfBaseline?: number
  baseline?: string
  runs: LoadResult[]
}

const QUESTION = 'What is the capital of France?'

/** The scenarios of the earlier bench, each with its passthrough baseline. */
function scenarios(): Scenario[] {
  const chat = (stream: boolean) => ({
    model: 'gpt-4o-mini-conv',
    messages: [{ role: 'user', content: QUESTION }],
    max_tokens: 64,
    ...(stream ? { stream } : {}),
  })
  const claude = (stream: boolean) => ({ model: 'gpt-4o-mini-conv', max_tokens: 64, stream, messages: [{ role: 'user', content: QUESTION }] })
  const responses = (model: string, stream: boolean) => ({ model, input: QUESTION, max_output_tokens: 64, stream })
  return [
    { name: 'chat-passthrough', path: '/v1/chat/completions', body: chat(false) },
    { name: 'chat-passthrough-stream', path: '/v1/chat/completions', body: chat(true) },
    { name: 'claude-client-to-openai', path: '/v1/messages', body: claude(false), baseline: 'chat-passthrough' },
    { name: 'claude-client-to-openai-stream', path: '/v1/messages', body: claude(true), baseline: 'chat-passthrough-stream' },
    { name: 'responses-passthrough', path: '/v1/responses', body: responses('gpt-4o-mini-conv', false) },
    { name: 'responses-passthrough-stream', path: '/v1/responses', body: responses('gpt-4o-mini-conv', true) },
    { name: 'responses-converted-to-chat', path: '/v1/responses', body: responses('gpt-4o-mini-compat', false), baseline: 'responses-passthrough' },
    {
      name: 'responses-converted-to-chat-stream',
      path: '/v1/responses',
      body: responses('gpt-4o-mini-compat', true),
      baseline: 'responses-passthrough-stream',
    },
  ]
}

/** Adds the two channels to the fixture fake and prices their model aliases. */
async function addConversionChannels(gateway: Gateway, fakeUrl: string): Promise<void> {
  await gateway.admin('POST', '/api/channels', {
    name: 'fake-full',
    type: 'openai',
    key: 'sk-bench',
    baseUrl: fakeUrl,
    models: ['gpt-4o-mini-conv'],
    modelMapping: { 'gpt-4o-mini-conv': 'gpt-4o-mini' },
  })
  await gateway.admin('POST', '/api/channels', {
    name: 'fake-chat-only',
    type: 'openai-compatible',
    key: 'sk-bench',
    baseUrl: fakeUrl,
    models: ['gpt-4o-mini-compat'],
    modelMapping: { 'gpt-4o-mini-compat': 'gpt-4o-mini' },
  })
  const price = { inputPerMTok: 0.15, outputPerMTok: 0.6 }
  await gateway.admin('PATCH', '/api/options', { modelPrices: { 'gpt-4o-mini-conv': price, 'gpt-4o-mini-compat': price } })
}

/** Runs every scenario `runs` times (interleaved) at `concurrency` and prints the table. */
export async function runConversions(
  root: string,
  gateway: Gateway,
  key: string,
  options: { concurrency: number; durationSeconds: number; warmupSeconds: number; runs: number },
): Promise<ConversionSummary[]> {
  console.log(
    `\nconversions: gateway only, c=${options.concurrency}, ${options.runs} × ${options.durationSeconds} s per scenario, fixture-replaying fake upstream`,
  )
  const fake = await startService('fake-upstream', [process.execPath, 'scripts/bench/fake-upstream.ts'], { cwd: root, ready: /listening (http:\/\/\S+)/ })
  try {
    await addConversionChannels(gateway, fake.ready)
    const list = scenarios()
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` }
    const files = new Map(list.map((scenario) => [scenario.name, bodyFile(`conversion-${scenario.name}`, JSON.stringify(scenario.body))]))
    const run = (scenario: Scenario, seconds: number) =>
      runLoad(root, {
        target: { url: `${gateway.url}${scenario.path}`, headers },
        bodyFile: files.get(scenario.name)!,
        connections: options.concurrency,
        durationSeconds: seconds,
      })
    if (options.warmupSeconds > 0) for (const scenario of list) await run(scenario, options.warmupSeconds)
    const results = new Map<string, LoadResult[]>(list.map((scenario) => [scenario.name, []]))
    for (let round = 1; round <= options.runs; round++) {
      for (const scenario of list) {
        const result = await run(scenario, options.durationSeconds)
        results.get(scenario.name)!.push(result)
        console.log(`  round ${round}/${options.runs} ${scenario.name.padEnd(36)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s`)
      }
    }
    const summaries = list.map((scenario) => summariseScenario(scenario, results))
    console.log(
      formatTable(
        ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'failures', '% of baseline'],
        summaries.map((summary) => [
          summary.name,
          summary.requestsPerSecond.toFixed(0),
          summary.p50Ms.toFixed(3),
          summary.p99Ms.toFixed(3),
          summary.failures,
          summary.baseline ? `${summary.percentOfBaseline?.toFixed(0)}% of ${summary.baseline}` : '',
        ]),
      ),
    )
    return summaries
  } finally {
    await stopService(fake, 5_000)
  }
}

/** Medians of one scenario and its ratio to its baseline's median. */
function summariseScenario(scenario: Scenario, results: Map<string, LoadResult[]>): ConversionSummary {
  const runs = results.get(scenario.name) ?? []
  const rate = (name: string) => median((results.get(name) ?? []).map((run) => run.requestsPerSecond)) ?? 0
  const failures = runs.reduce(
    (sum, run) => ({ non2xx: sum.non2xx + run.non2xx, errors: sum.errors + run.errors, timeouts: sum.timeouts + run.timeouts, statusCodes: {} }),
    { non2xx: 0, errors: 0, timeouts: 0, statusCodes: {} as Record<string, number> },
  )
  for (const run of runs)
    for (const [code, count] of Object.entries(run.statusCodes))
      if (!code.startsWith('2')) failures.statusCodes[code] = (failures.statusCodes[code] ?? 0) + count
  return {
    name: scenario.name,
    requestsPerSecond: rate(scenario.name),
    p50Ms: median(runs.map((run) => run.latencyMs.p50)) ?? 0,
    p99Ms: median(runs.map((run) => run.latencyMs.p99)) ?? 0,
    failures: describeFailures(failures),
    runs,
    ...(scenario.baseline ? { baseline: scenario.baseline, percentOfBaseline: (100 * rate(scenario.name)) / Math.max(rate(scenario.baseline), 1e-9) } : {}),
  }
}
