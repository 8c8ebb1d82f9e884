import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import { countTexts, encodingLoaded } from './count.ts'
import { encodingForModel, type EncodingName } from './encodings.ts'
import type { TokenizerSpec } from '@hanggent/plugin-sdk'

/** Counts tokens for prompt estimates and for streamed output the upstream reported no usage for. */
export interface TokenCounter {
  /** Total tokens of the texts as the model's tokenizer (or our o200k estimate) counts them. */
  count(model: string, texts: string[], options?: CountOptions): Promise<number>
  /** Stops using the counting threads: later counts run inline on the calling thread. */
  close(): Promise<void>
}

/** How one count is made. */
export interface CountOptions {
  /**
   * Nobody waits on this count the way a request waits on its admission (settling a stream that reported no
   * usage, or one the client left): it never makes the calling thread load an encoding's tables (~0.45 s of
   * stall and ~49 MB kept), and goes to a counting thread unless this thread already has them.
   */
  background?: boolean
}

/** Options of the token counter. */
export interface TokenCounterOptions {
  /** Most worker threads; defaults to countingThreads(available cores). */
  maxThreads?: number
  /** Inputs with fewer characters than this are counted inline; 4000 by default. */
  inlineBelowChars?: number
  /** The tokenizer a plugin declared for a model (PluginRegistry.tokenizer); undefined means the default encoding. */
  tokenizerFor?: (model: string) => TokenizerSpec | undefined
}

/** Sums a plugin's own counter over the texts; its answers are clamped to whole non-negative numbers. */
function countWithPlugin(count: (text: string) => number, texts: string[]): number {
  let total = 0
  for (const text of texts) {
    if (text === '') continue
    const tokens = count(text)
    if (Number.isFinite(tokens) && tokens > 0) total += Math.ceil(tokens)
  }
  return total
}

const DEFAULT_INLINE_BELOW_CHARS = 4000
// Each counting thread is a JavaScript VM with its own copy of the encoding tables: about 80-100 MB of
// RSS once it has counted (scripts/measure-token-pool.ts: +98 MB with 1 thread, +180 MB with 2; +114 and
// +192 MB when the tables came from gpt-tokenizer's own modules). One per core would hold over a gigabyte
// on a 16-core server after a burst of long prompts.
const MOST_DEFAULT_THREADS = 2

/**
 * Default number of counting threads for a machine with `cores` cores: one fewer than the cores (the
 * event loop keeps one), at least one, and never more than MOST_DEFAULT_THREADS, so the memory the
 * pool can hold is bounded whatever the machine.
 */
export function countingThreads(cores: number): number {
  return Math.min(MOST_DEFAULT_THREADS, Math.max(1, cores - 1))
}
// Idle threads exit after this long, so a quiet gateway holds no tokenizer tables in its workers.
const IDLE_TIMEOUT_MS = 30_000
const WORKER_FILE = fileURLToPath(new URL('./worker.ts', import.meta.url))

// One pool per process (per thread count), shared by every counter: each counting thread loads the tables
// once however many gateways the process runs (the test suite runs hundreds, one after another), and a
// counter's close() leaves the threads to the others. Idle threads exit after IDLE_TIMEOUT_MS and, being
// unreferenced by piscina while idle, never keep the process alive.
const sharedPools = new Map<number, Piscina>()

/** The process's pool of `maxThreads` counting threads, started on first use. */
function sharedPool(maxThreads: number): Piscina {
  let pool = sharedPools.get(maxThreads)
  if (!pool) {
    pool = new Piscina({ filename: WORKER_FILE, minThreads: 0, maxThreads, idleTimeout: IDLE_TIMEOUT_MS })
    sharedPools.set(maxThreads, pool)
  }
  return pool
}

/**
 * Builds a counter that encodes small inputs inline (a worker round trip costs more than encoding a
 * short string) and sends larger ones, and background counts whose tables this thread lacks, to the
 * process's counting pool, so a 100k-token prompt does not stall the event loop.
 */
export function createTokenCounter(options: TokenCounterOptions = {}): TokenCounter {
  const inlineBelowChars = options.inlineBelowChars ?? DEFAULT_INLINE_BELOW_CHARS
  const maxThreads = options.maxThreads ?? countingThreads(availableParallelism())
  let closed = false

  return {
    async count(model, texts, countOptions) {
      let chars = 0
      for (const text of texts) chars += text.length
      if (chars === 0) return 0
      const declared = options.tokenizerFor?.(model)
      if (declared && 'count' in declared) return countWithPlugin(declared.count, texts)
      const encoding: EncodingName = declared?.encoding ?? encodingForModel(model)
      const inline = chars < inlineBelowChars && (countOptions?.background !== true || encodingLoaded(encoding))
      if (inline || closed) return countTexts(encoding, texts)
      const total: unknown = await sharedPool(maxThreads).run({ encoding, texts })
      if (typeof total !== 'number') throw new TypeError(`The token worker answered ${typeof total}, not a number`)
      return total
    },
    async close() {
      closed = true
    },
  }
}
