import { describe, expect, test } from 'bun:test'
import { createLagHistogram, EVENT_LOOP_HISTORY_SECONDS } from './event-loop-monitor.ts'

describe('event-loop lag histogram', () => {
  test('percentiles within the bin error, the exact maximum, and nothing outside the window', () => {
    const histogram = createLagHistogram()
    // Second 100: 99 samples of 0.2 ms and one of 40 ms. Second 101: 50 samples of 3 ms.
    for (let i = 0; i < 99; i++) histogram.record(0.2, 100_000 + i)
    histogram.record(40, 100_500)
    for (let i = 0; i < 50; i++) histogram.record(3, 101_000 + i)
    const last = histogram.lag(1)
    expect(last.samples).toBe(50)
    expect(last.p50).toBeGreaterThanOrEqual(3)
    expect(last.p50).toBeLessThanOrEqual(3 * 1.07)
    expect(last.max).toBe(3)
    const both = histogram.lag(2)
    expect(both.samples).toBe(150)
    expect(both.p50).toBeLessThanOrEqual(0.2 * 1.07)
    expect(both.p99).toBeGreaterThanOrEqual(3)
    expect(both.max).toBe(40)
  })

  test('the ring forgets seconds older than its history', () => {
    const histogram = createLagHistogram()
    histogram.record(50, 0)
    histogram.record(1, (EVENT_LOOP_HISTORY_SECONDS + 5) * 1000)
    const lag = histogram.lag(EVENT_LOOP_HISTORY_SECONDS)
    expect(lag).toMatchObject({ windowSeconds: EVENT_LOOP_HISTORY_SECONDS, samples: 1, max: 1 })
    expect(histogram.lag(10_000).windowSeconds).toBe(EVENT_LOOP_HISTORY_SECONDS)
  })

  test('an empty window reads zero', () => {
    expect(createLagHistogram().lag(60)).toEqual({ windowSeconds: 60, p50: 0, p99: 0, max: 0, samples: 0 })
  })
})
