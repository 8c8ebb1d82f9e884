import { describe, expect, test } from 'bun:test'
import { targetLines, type CellSummary, type Failures } from './summary.ts'

// The targets block is what the closing notes quote: a gateway that answered calls with errors must never
// read as meeting a target (error answers are fast and cheap, so its figures would look better than success).

const noFailures: Failures = { non2xx: 0, errors: 0, timeouts: 0, statusCodes: {}, runsWithoutAnswers: 0 }

function cell(concurrency: number, gateway: Failures): CellSummary {
  return {
    cell: { mode: 'non-stream', body: 'small', concurrency },
    rounds: 3,
    requestsPerSecond: { direct: 10_000, gateway: 4_000, peer: 500 },
    latencyMs: {},
    addedLatencyMs: { p50: -0.07, p99: 0.5 },
    gatewayPercentOfDirect: 40,
    gatewayTimesPeer: 8,
    eventLoopLagMs: { p99: 2, max: 3 },
    failures: { direct: noFailures, gateway },
  }
}

const verdicts = (summaries: CellSummary[]) => Object.fromEntries(targetLines(summaries, 150 * 1_048_576, undefined).map((line) => [line.target, line.verdict]))

describe('bench targets block', () => {
  test('a gateway without failures meets the targets its figures meet', () => {
    const lines = verdicts([cell(1, noFailures), cell(50, noFailures)])
    expect(lines['added p50 ≤ 0.3 ms, non-stream small c=1']).toBe('met')
    expect(lines['gateway ≥ 35% of direct, non-stream small c=50']).toBe('met')
  })

  test('a gateway that answered with errors meets none of that cell’s targets, and the figure says why', () => {
    const failed: Failures = { non2xx: 1200, errors: 0, timeouts: 0, statusCodes: { '500': 1200 }, runsWithoutAnswers: 3 }
    const summaries = [cell(1, failed), cell(50, failed)]
    const lines = verdicts(summaries)
    expect(lines['added p50 ≤ 0.3 ms, non-stream small c=1']).toBe('NOT met')
    expect(lines['added p99 ≤ 2 ms, non-stream small c=1']).toBe('NOT met')
    expect(lines['gateway ≥ 35% of direct, non-stream small c=50']).toBe('NOT met')
    expect(lines['gateway ≥ 5× peer, non-stream small c=50']).toBe('NOT met')
    expect(lines['event-loop lag p99 ≤ 5 ms, non-stream small c=50']).toBe('NOT met')
    const figure = targetLines(summaries, undefined, undefined).find((line) => line.target.startsWith('added p50'))?.figure
    expect(figure).toContain('500×1200')
  })
})
