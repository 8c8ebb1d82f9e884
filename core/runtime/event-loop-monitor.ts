// Event-loop lag of this process over the last minutes, for operators and the relay benchmark.
// A timer armed every ~10 ms measures how late it fires (scheduling delay = lag). Samples land in
// per-second histograms (log-linear bins, ≤ 6 % relative error) kept in a ring of 120 seconds, so a
// window of any length up to that is exact to the second and a sample costs no allocation.
// Bun implements perf_hooks.monitorEventLoopDelay and it agrees with this timer to a few µs, but it
// keeps one cumulative histogram: it cannot answer "the last N seconds", which is what the bench reads.

/** Lag percentiles, in milliseconds, over a window of whole seconds. */
export interface EventLoopLag {
  windowSeconds: number
  p50: number
  p99: number
  max: number
  samples: number
}

/** A running monitor. */
export interface EventLoopMonitor {
  /** Lag over the last `windowSeconds` (1 to 120) seconds. */
  lag(windowSeconds: number): EventLoopLag
  /** Records one lag sample (the timer does this; tests call it with a fake clock). */
  record(lagMs: number, nowMs: number): void
  stop(): void
}

/** Seconds of history kept. */
export const EVENT_LOOP_HISTORY_SECONDS = 120
const SAMPLE_INTERVAL_MS = 10
/** Bins 0–15 are exact microseconds; above, 16 bins per power of two, up to 2^25 µs (33 s). */
const SUB_BINS = 16
const MAX_MICROS = 2 ** 25 - 1
const BINS = SUB_BINS + (25 - 4) * SUB_BINS

/** The bin of a lag in whole microseconds. */
function binOf(micros: number): number {
  const value = Math.min(MAX_MICROS, Math.max(0, Math.round(micros)))
  if (value < SUB_BINS) return value
  const highBit = 31 - Math.clz32(value)
  return SUB_BINS + (highBit - 4) * SUB_BINS + ((value >> (highBit - 4)) & (SUB_BINS - 1))
}

/** The largest microsecond value a bin holds (the percentile reported for it). */
function upperOf(bin: number): number {
  if (bin < SUB_BINS) return bin
  const shift = Math.floor((bin - SUB_BINS) / SUB_BINS)
  const lower = (SUB_BINS + ((bin - SUB_BINS) % SUB_BINS)) << shift
  return lower + (1 << shift) - 1
}

/** A monitor fed only through `record` (no timer): the histogram ring and its window queries. */
export function createLagHistogram(): Omit<EventLoopMonitor, 'stop'> {
  const counts = new Uint32Array(EVENT_LOOP_HISTORY_SECONDS * BINS)
  const maxima = new Float64Array(EVENT_LOOP_HISTORY_SECONDS)
  const secondOfSlot = new Float64Array(EVENT_LOOP_HISTORY_SECONDS).fill(-1)
  const merged = new Uint32Array(BINS)
  let latestSecond = 0
  return {
    record(lagMs, nowMs) {
      const second = Math.floor(nowMs / 1000)
      const slot = second % EVENT_LOOP_HISTORY_SECONDS
      if (secondOfSlot[slot] !== second) {
        counts.fill(0, slot * BINS, (slot + 1) * BINS)
        maxima[slot] = 0
        secondOfSlot[slot] = second
      }
      latestSecond = Math.max(latestSecond, second)
      counts[slot * BINS + binOf(lagMs * 1000)]! += 1
      if (lagMs > maxima[slot]!) maxima[slot] = lagMs
    },
    lag(windowSeconds) {
      const window = Math.min(EVENT_LOOP_HISTORY_SECONDS, Math.max(1, Math.floor(windowSeconds)))
      merged.fill(0)
      let samples = 0
      let max = 0
      for (let second = latestSecond - window + 1; second <= latestSecond; second++) {
        const slot = ((second % EVENT_LOOP_HISTORY_SECONDS) + EVENT_LOOP_HISTORY_SECONDS) % EVENT_LOOP_HISTORY_SECONDS
        if (secondOfSlot[slot] !== second) continue
        for (let bin = 0; bin < BINS; bin++) merged[bin]! += counts[slot * BINS + bin]!
        max = Math.max(max, maxima[slot]!)
      }
      for (let bin = 0; bin < BINS; bin++) samples += merged[bin]!
      return { windowSeconds: window, p50: percentileOf(merged, samples, 0.5, max), p99: percentileOf(merged, samples, 0.99, max), max: round(max), samples }
    },
  }
}

/** The value at `fraction` of a merged histogram, in ms, never above the exact maximum seen. */
function percentileOf(merged: Uint32Array, samples: number, fraction: number, max: number): number {
  if (samples === 0) return 0
  const rank = Math.ceil(samples * fraction)
  let seen = 0
  for (let bin = 0; bin < merged.length; bin++) {
    seen += merged[bin]!
    if (seen >= rank) return round(Math.min(max, upperOf(bin) / 1000))
  }
  return round(max)
}

const round = (ms: number) => Math.round(ms * 1000) / 1000

/** Starts sampling on an unref'd timer (it never keeps the process alive). */
export function createEventLoopMonitor(): EventLoopMonitor {
  const histogram = createLagHistogram()
  let armedAt = performance.now()
  // One timer re-armed with refresh(): no allocation per sample.
  const timer = setTimeout(function sample() {
    const now = performance.now()
    histogram.record(Math.max(0, now - armedAt - SAMPLE_INTERVAL_MS), now)
    armedAt = now
    timer.refresh()
  }, SAMPLE_INTERVAL_MS)
  timer.unref()
  return { ...histogram, stop: () => clearTimeout(timer) }
}

let running: EventLoopMonitor | undefined

/** The process-wide monitor, started on first call (main.ts starts it at boot so the history covers the whole uptime). */
export function startEventLoopMonitor(): EventLoopMonitor {
  return (running ??= createEventLoopMonitor())
}
