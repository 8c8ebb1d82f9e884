import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import { countTexts } from './count.ts'
import { encodingForModel } from './encodings.ts'

/** Counts tokens without stalling the event loop on large inputs. */
export interface TokenCounter {
  /** Total tokens of the texts as the model's tokenizer counts them. */
  count(model: string, texts: string[]): Promise<number>
  /** Stops the worker threads. */
  close(): Promise<void>
}

/**
 * Small inputs are counted inline (a worker round trip costs more than encoding a short string);
 * larger ones go to a lazily started piscina pool whose idle threads exit on their own.
 */
export function createTokenCounter(options: { maxThreads?: number; inlineBelowChars?: number } = {}): TokenCounter {
  const inlineBelow = options.inlineBelowChars ?? 4000
  let pool: Piscina | undefined
  const workerFile = fileURLToPath(new URL('./worker.ts', import.meta.url))

  function getPool(): Piscina {
    pool ??= new Piscina({
      filename: workerFile,
      minThreads: 0,
      maxThreads: options.maxThreads ?? Math.max(1, availableParallelism() - 1),
      idleTimeout: 30_000,
    })
    return pool
  }

  return {
    async count(model, texts) {
      let chars = 0
      for (const text of texts) chars += text.length
      if (chars === 0) return 0
      const encoding = encodingForModel(model)
      if (chars < inlineBelow) return countTexts(encoding, texts)
      return (await getPool().run({ encoding, texts })) as number
    },
    async close() {
      const current = pool
      pool = undefined
      await current?.destroy()
    },
  }
}
