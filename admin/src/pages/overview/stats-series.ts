import { unitsToUsd } from '../../api/units.ts'

// Pure helpers of the overview page: which range and bucket to ask GET /api/stats for, and how its
// rows become chart series (empty buckets filled with zeros, keys ranked by cost or volume).

/** The range choices of the picker; `custom` reads the date-range picker. */
export type RangeChoice = 'today' | '7d' | '30d' | 'custom'

/** Bucket sizes GET /api/stats offers. */
export type Bucket = 'hour' | 'day'

/** A time range as the stats route takes it, with the bucket size that draws it well. */
export interface StatsRange {
  from: Date
  to: Date
  bucket: Bucket
}

const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000
/** Longer ranges are drawn per day (the daily rollups), shorter ones per hour. */
const HOURLY_UP_TO_MS = 7 * DAY_MS + HOUR_MS

function startOfLocalDay(date: Date): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate())
}

/**
 * The range a choice stands for at `now`: today from local midnight; 7 and 30 days back from now;
 * a custom pair of days from the first day's midnight to the end of the last day. `to` is exclusive.
 */
export function rangeFor(choice: RangeChoice, now: Date, custom?: readonly [number, number] | null): StatsRange {
  let from: Date
  let to = new Date(now.getTime() + 60_000)
  if (choice === 'today') from = startOfLocalDay(now)
  else if (choice === '7d') from = new Date(now.getTime() - 7 * DAY_MS)
  else if (choice === '30d') from = new Date(now.getTime() - 30 * DAY_MS)
  else {
    const [start, end] = custom ?? [now.getTime() - 7 * DAY_MS, now.getTime()]
    from = startOfLocalDay(new Date(Math.min(start, end)))
    const last = startOfLocalDay(new Date(Math.max(start, end)))
    to = new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1)
  }
  return { from, to, bucket: to.getTime() - from.getTime() <= HOURLY_UP_TO_MS ? 'hour' : 'day' }
}

/** Every bucket start (UTC, as the rollups store them) from the one holding `from` up to `to`. */
export function bucketStarts(range: StatsRange): number[] {
  const size = range.bucket === 'day' ? DAY_MS : HOUR_MS
  const starts: number[] = []
  for (let time = Math.floor(range.from.getTime() / size) * size; time < range.to.getTime(); time += size) starts.push(time)
  return starts
}

/** One row of GET /api/stats. */
export interface StatsPoint {
  time: string
  key: string
  requests: number
  promptTokens: number
  completionTokens: number
  quota: number
}

/** What the charts can show. */
export type Metric = 'requests' | 'tokens' | 'cost'

/** A point's value for a metric: requests, prompt + completion tokens, or USD. */
export function metricOf(point: Pick<StatsPoint, 'requests' | 'promptTokens' | 'completionTokens' | 'quota'>, metric: Metric): number {
  if (metric === 'requests') return point.requests
  if (metric === 'tokens') return point.promptTokens + point.completionTokens
  return unitsToUsd(point.quota)
}

/** Sums over a range. */
export interface Totals {
  requests: number
  promptTokens: number
  completionTokens: number
  quota: number
}

/** The totals of some rows. */
export function totalsOf(points: readonly StatsPoint[]): Totals {
  const totals: Totals = { requests: 0, promptTokens: 0, completionTokens: 0, quota: 0 }
  for (const point of points) {
    totals.requests += point.requests
    totals.promptTokens += point.promptTokens
    totals.completionTokens += point.completionTokens
    totals.quota += point.quota
  }
  return totals
}

/** One value per bucket start (zeros where nothing happened), for a time-series chart. */
export function timeSeries(points: readonly StatsPoint[], starts: readonly number[], metric: Metric): number[] {
  const byTime = new Map<number, number>()
  for (const point of points) {
    const time = new Date(point.time).getTime()
    byTime.set(time, (byTime.get(time) ?? 0) + metricOf(point, metric))
  }
  return starts.map((start) => byTime.get(start) ?? 0)
}

/** A key (model, user id, channel id) with its total for a metric. */
export interface Ranked {
  key: string
  value: number
  totals: Totals
}

/**
 * Keys ranked by a metric, largest first; beyond `limit` the rest are summed under `otherKey`
 * when given (a pie keeps its whole), or dropped (a top-N list).
 */
export function rankByKey(points: readonly StatsPoint[], metric: Metric, limit: number, otherKey?: string): Ranked[] {
  const byKey = new Map<string, StatsPoint[]>()
  for (const point of points) {
    const list = byKey.get(point.key)
    if (list) list.push(point)
    else byKey.set(point.key, [point])
  }
  const ranked = [...byKey]
    .map(([key, list]) => {
      const totals = totalsOf(list)
      return { key, value: metricOf(totals, metric), totals }
    })
    .filter((entry) => entry.value > 0)
    .sort((a, b) => b.value - a.value || a.key.localeCompare(b.key))
  if (ranked.length <= limit) return ranked
  const top = ranked.slice(0, limit)
  if (otherKey === undefined) return top
  const rest = totalsOf(ranked.slice(limit).map((entry) => ({ time: '', key: entry.key, ...entry.totals })))
  return [...top, { key: otherKey, value: metricOf(rest, metric), totals: rest }]
}
