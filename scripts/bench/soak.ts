// Soak: c=50 non-stream small requests against the gateway for a long stretch, with its RSS read every
// 10 s, to see whether memory settles after a warm-up minute or keeps growing.
import { residentBytes } from './child-processes.ts'
import type { Gateway } from './gateway-under-test.ts'
import { chatRequestBody } from './request-bodies.ts'
import { bodyFile, runLoad } from './run-load.ts'
import { describeFailures, type SoakSummary } from './summary.ts'

const SAMPLE_EVERY_SECONDS = 10
const WARM_UP_SECONDS = 60

/** RSS at the sample closest to `atSeconds`. */
function rssAt(samples: SoakSummary['samples'], atSeconds: number): number {
  let best = samples[0]!
  for (const sample of samples) if (Math.abs(sample.atSeconds - atSeconds) < Math.abs(best.atSeconds - atSeconds)) best = sample
  return best.rssBytes
}

/** Runs the soak and prints the RSS series as it goes. */
export async function runSoak(root: string, gateway: Gateway, key: string, seconds: number): Promise<SoakSummary> {
  console.log(`\nsoak: c=50 non-stream small against the gateway for ${seconds} s, RSS every ${SAMPLE_EVERY_SECONDS} s`)
  const file = bodyFile('soak', chatRequestBody('small', false))
  const started = performance.now()
  const samples: SoakSummary['samples'] = []
  const sample = async () => {
    const rssBytes = await residentBytes(gateway.pid)
    if (rssBytes === undefined) return
    const atSeconds = Math.round((performance.now() - started) / 1000)
    samples.push({ atSeconds, rssBytes })
    console.log(`  ${String(atSeconds).padStart(5)} s  RSS ${(rssBytes / 1_048_576).toFixed(1)} MB`)
  }
  await sample()
  const ticker = setInterval(() => void sample(), SAMPLE_EVERY_SECONDS * 1000)
  try {
    const result = await runLoad(root, {
      target: { url: `${gateway.url}/v1/chat/completions`, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } },
      bodyFile: file,
      connections: 50,
      durationSeconds: seconds,
    })
    clearInterval(ticker)
    await sample()
    const afterFirstMinuteBytes = rssAt(samples, Math.min(WARM_UP_SECONDS, seconds))
    const endBytes = samples.at(-1)!.rssBytes
    const growthBytes = endBytes - afterFirstMinuteBytes
    const failures = {
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      statusCodes: Object.fromEntries(Object.entries(result.statusCodes).filter(([code]) => !code.startsWith('2'))),
    }
    const summary: SoakSummary = {
      seconds,
      samples,
      afterFirstMinuteBytes,
      endBytes,
      growthBytes,
      growthPercent: (100 * growthBytes) / afterFirstMinuteBytes,
      requestsPerSecond: result.requestsPerSecond,
      failures,
    }
    console.log(
      `  ${result.requestsPerSecond.toFixed(0)} req/s, failures ${describeFailures(failures)}; RSS ${(afterFirstMinuteBytes / 1_048_576).toFixed(1)} MB at ${Math.min(WARM_UP_SECONDS, seconds)} s → ${(endBytes / 1_048_576).toFixed(1)} MB at the end (${growthBytes >= 0 ? '+' : ''}${(growthBytes / 1_048_576).toFixed(1)} MB, ${summary.growthPercent.toFixed(1)}%)`,
    )
    return summary
  } finally {
    clearInterval(ticker)
  }
}
