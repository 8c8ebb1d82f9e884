import { describe, expect, test } from 'bun:test'
import { bucketStarts, rangeFor, rankByKey, timeSeries, totalsOf, type StatsPoint } from './stats-series.ts'

const point = (time: string, key: string, requests: number, quota = 0): StatsPoint => ({
  time,
  key,
  requests,
  promptTokens: requests * 10,
  completionTokens: requests * 5,
  quota,
})

describe('overview stats helpers', () => {
  test('short ranges are drawn per hour, long ones per day; a custom range covers whole days', () => {
    const now = new Date(2025, 5, 15, 13, 30)
    expect(rangeFor('today', now).bucket).toBe('hour')
    expect(rangeFor('today', now).from).toEqual(new Date(2025, 5, 15))
    expect(rangeFor('7d', now).bucket).toBe('hour')
    expect(rangeFor('30d', now).bucket).toBe('day')
    const custom = rangeFor('custom', now, [new Date(2025, 5, 3, 9).getTime(), new Date(2025, 5, 1, 18).getTime()])
    expect([custom.from, custom.to]).toEqual([new Date(2025, 5, 1), new Date(2025, 5, 4)])
  })

  test('every bucket gets a value, zero where nothing happened', () => {
    const range = { from: new Date('2025-01-01T10:20:00Z'), to: new Date('2025-01-01T13:00:00Z'), bucket: 'hour' as const }
    const starts = bucketStarts(range)
    expect(starts.map((start) => new Date(start).toISOString())).toEqual(['2025-01-01T10:00:00.000Z', '2025-01-01T11:00:00.000Z', '2025-01-01T12:00:00.000Z'])
    const points = [point('2025-01-01T10:00:00.000Z', '', 3), point('2025-01-01T12:00:00.000Z', '', 2, 500_000)]
    expect(timeSeries(points, starts, 'requests')).toEqual([3, 0, 2])
    expect(timeSeries(points, starts, 'tokens')).toEqual([45, 0, 30])
    expect(timeSeries(points, starts, 'cost')).toEqual([0, 0, 1])
    expect(totalsOf(points)).toEqual({ requests: 5, promptTokens: 50, completionTokens: 25, quota: 500_000 })
  })

  test('keys are ranked across buckets, the rest summed as "other" when asked', () => {
    const points = [point('a', 'gpt-4o', 2), point('b', 'gpt-4o', 3), point('a', 'mini', 4), point('a', 'tiny', 1), point('a', 'idle', 0)]
    expect(rankByKey(points, 'requests', 5).map((entry) => [entry.key, entry.value])).toEqual([
      ['gpt-4o', 5],
      ['mini', 4],
      ['tiny', 1],
    ])
    expect(rankByKey(points, 'requests', 1, 'other').map((entry) => [entry.key, entry.value])).toEqual([
      ['gpt-4o', 5],
      ['other', 5],
    ])
    expect(rankByKey(points, 'requests', 1).map((entry) => entry.key)).toEqual(['gpt-4o'])
  })
})
