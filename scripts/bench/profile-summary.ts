// Summarises a CPU profile (.cpuprofile, as `bun --cpu-prof` or `npm run bench -- --profile` write it)
// by stage of the relay, counting samples rather than summing time deltas (Bun folds idle gaps into
// the next sample's delta, which makes an idle wait look like CPU). A sample in native code (fetch,
// JSON, postMessage) is charged to the stage of the nearest JavaScript frame that called it.
//   bun scripts/bench/profile-summary.ts <file.cpuprofile> [--skip-seconds 8] [--top 25]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** Stages by source location, first match wins. */
const STAGES: Array<[stage: string, pattern: RegExp]> = [
  ['upstream call (fetch)', /core\/relay\/call-upstream\.ts/],
  ['stream relay (SSE parse, tap, re-frame)', /core\/relay\/relay-(stream|passthrough-stream)\.ts|core\/stream\//],
  ['billing (ledger, journal)', /core\/billing\//],
  ['usage logs and group commit (writer, database client)', /core\/jobs\/|core\/db\/|drizzle-orm|@electric-sql|node_modules\/postgres\//],
  ['token counting', /gpt-tokenizer|core\/tokenize\//],
  ['relay pipeline (auth, parse, route, price, settle)', /core\/relay\/|core\/routing\/|core\/limits\//],
  ['dialect codecs and transports (plugins)', /plugins\//],
  ['web framework (Elysia, TypeBox)', /elysia|@sinclair\/typebox/],
  ['admin API, dashboard, other core', /core\//],
]

function stageOf(url: string): string | undefined {
  if (url === '') return undefined
  for (const [stage, pattern] of STAGES) if (pattern.test(url)) return stage
  return 'other JavaScript'
}

/** Sample counts per stage and per function (self), from `skipSeconds` on. */
export function summariseProfile(profile: CpuProfile, skipSeconds: number) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const stages = new Map<string, number>()
  const functions = new Map<string, number>()
  let elapsed = 0
  let counted = 0
  for (let index = 0; index < profile.samples.length; index++) {
    elapsed += profile.timeDeltas[index] ?? 0
    if (elapsed < skipSeconds * 1e6) continue
    counted += 1
    const leaf = byId.get(profile.samples[index]!)!
    const name = `${leaf.callFrame.functionName || '(anonymous)'} ${leaf.callFrame.url.replace(/^.*?\/(core|plugins|node_modules|scripts)\//, '$1/')}${leaf.callFrame.url ? `:${leaf.callFrame.lineNumber}` : ''}`
    functions.set(name, (functions.get(name) ?? 0) + 1)
    let stage: string | undefined
    for (let id: number | undefined = leaf.id; id !== undefined && stage === undefined; id = parent.get(id)) stage = stageOf(byId.get(id)!.callFrame.url)
    const key = stage ?? 'runtime: HTTP server, I/O, GC (no JavaScript caller)'
    stages.set(key, (stages.get(key) ?? 0) + 1)
  }
  return { counted, stages, functions }
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'skip-seconds': { type: 'string', default: '0' }, top: { type: 'string', default: '25' } },
  })
  const file = positionals[0]
  if (!file) throw new Error('usage: bun scripts/bench/profile-summary.ts <file.cpuprofile> [--skip-seconds N] [--top N]')
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const { counted, stages, functions } = summariseProfile(profile, Number(values['skip-seconds']))
  const share = (count: number) => `${((100 * count) / counted).toFixed(1).padStart(5)}%`
  console.log(`${counted} samples (1 per ms of CPU on the profiled thread)\n\nby stage (native code charged to its JavaScript caller)`)
  for (const [stage, count] of [...stages].sort((a, b) => b[1] - a[1])) console.log(`${share(count)}  ${stage}`)
  console.log(`\ntop ${values.top} functions by self samples`)
  for (const [name, count] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(`${share(count)}  ${name}`)
}

if (import.meta.main) main()
