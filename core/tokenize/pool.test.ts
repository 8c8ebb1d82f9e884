import { afterAll, describe, expect, test } from 'bun:test'
import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base'
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base'
import { encodingForModel, type EncodingName } from './encodings.ts'
import { countingThreads, createTokenCounter } from './pool.ts'

/** Deterministic varied prose (Latin syllables, Chinese, emoji), so the tokenizer's merge cache cannot shortcut it. */
function prose(chars: number, seed = 12345): string {
  const syllables = ['ka', 'lo', 'mi', 'ren', 'tu', 'vos', 'zhi', 'qua', 'nel', 'por', 'sen', 'di', '你', '好', '世界', ' 🙂', ', ', '. ', '\n']
  const words: string[] = []
  let length = 0
  let state = seed
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) >>> 16
  while (length < chars) {
    let word = ''
    for (let syllable = next() % 3; syllable >= 0; syllable--) word += syllables[next() % syllables.length]
    words.push(word)
    length += word.length + 1
  }
  return words.join(' ')
}

/** Runs a script in a fresh Bun process next to this file; resolves with its output once it exits on its own. */
async function runAlone(script: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const child = Bun.spawn([process.execPath, '-e', script], { cwd: import.meta.dir, stdout: 'pipe', stderr: 'pipe' })
  // The pool's idle timeout is 30 s: a process still alive at 20 s is being held open by it.
  const guard = setTimeout(() => child.kill(), 20_000)
  const [exitCode, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()])
  clearTimeout(guard)
  return { exitCode, stdout, stderr }
}

// Generous, for a loaded CI machine: these start worker threads or whole processes.
const SLOW_TEST_TIMEOUT_MS = 30_000

const libraryCount: Record<EncodingName, (text: string) => number> = { o200k_base: o200k, cl100k_base: cl100k }

describe('encodingForModel', () => {
  test.each([
    ['gpt-4o', 'o200k_base'],
    ['gpt-4o-mini-2024-07-18', 'o200k_base'],
    ['chatgpt-4o-latest', 'o200k_base'],
    ['gpt-4.1-nano', 'o200k_base'],
    ['gpt-4.5-preview', 'o200k_base'],
    ['gpt-5', 'o200k_base'],
    ['gpt-5.1-codex', 'o200k_base'],
    ['o1-preview', 'o200k_base'],
    ['o3-mini', 'o200k_base'],
    ['o4-mini-deep-research', 'o200k_base'],
    ['gpt-oss-120b', 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-4-0613', 'cl100k_base'],
    ['gpt-4-turbo-2024-04-09', 'cl100k_base'],
    ['gpt-4-32k', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['gpt-3.5-turbo-instruct', 'cl100k_base'],
    ['gpt-35-turbo', 'cl100k_base'],
    ['text-embedding-3-small', 'cl100k_base'],
    ['text-embedding-ada-002', 'cl100k_base'],
    ['davinci-002', 'cl100k_base'],
    ['babbage-002', 'cl100k_base'],
    ['GPT-4-Turbo', 'cl100k_base'],
    ['openai/gpt-4', 'cl100k_base'],
    ['openai/gpt-4o', 'o200k_base'],
    ['ft:gpt-3.5-turbo-0125:acme::9abc', 'cl100k_base'],
    ['claude-sonnet-4-5', 'o200k_base'],
    ['gemini-2.5-pro', 'o200k_base'],
    ['deepseek-chat', 'o200k_base'],
    ['meta-llama/Llama-3.3-70B-Instruct', 'o200k_base'],
    ['', 'o200k_base'],
  ])('%s → %s', (model, encoding) => {
    expect(encodingForModel(model)).toBe(encoding as EncodingName)
  })
})

describe('token counter', () => {
  const counter = createTokenCounter({ maxThreads: 2 })
  const inline = createTokenCounter({ inlineBelowChars: Number.POSITIVE_INFINITY })
  afterAll(async () => {
    await counter.close()
    await inline.close()
  })

  test('counts as the tokenizer library does, in both encodings', async () => {
    expect(await counter.count('gpt-4o', ['hello world'])).toBe(2)
    expect(await counter.count('gpt-3.5-turbo', ['hello world'])).toBe(2)
    for (const text of ['Hello world! 你好，世界。 🙂 The quick brown fox.', '{"role":"user","content":"Summarise this."}', prose(1000)]) {
      expect(await counter.count('gpt-4o', [text])).toBe(o200k(text))
      expect(await counter.count('gpt-4', [text])).toBe(cl100k(text))
    }
    // The two encodings really differ on this text, so the model must pick the right one.
    const chinese = '巴黎是法国的首都，也是欧洲最大的城市之一。'
    expect(o200k(chinese)).not.toBe(cl100k(chinese))
    expect(await counter.count('claude-sonnet-4-5', [chinese])).toBe(o200k(chinese))
  })

  test('sums several texts and counts special-token text as plain text instead of refusing it', async () => {
    expect(await counter.count('gpt-4o', ['a b', 'c d'])).toBe(o200k('a b') + o200k('c d'))
    expect(await counter.count('gpt-4o', ['<|endoftext|>'])).toBe(o200k('<|endoftext|>', { disallowedSpecial: new Set(), allowedSpecial: new Set() }))
    expect(await counter.count('gpt-4o', ['<|endoftext|>'])).toBeGreaterThan(1)
  })

  test('empty input costs nothing', async () => {
    expect(await counter.count('gpt-4o', [])).toBe(0)
    expect(await counter.count('gpt-4o', ['', ''])).toBe(0)
  })

  test.each(['gpt-4o', 'gpt-4-turbo'])(
    'a ~400k-character %s prompt counted in the pool matches the inline count',
    async (model) => {
      const texts = [prose(200_000, 1), prose(200_000, 2)]
      const expected = texts.reduce((sum, text) => sum + libraryCount[encodingForModel(model)](text), 0)
      expect(await counter.count(model, texts)).toBe(expected)
      expect(await inline.count(model, texts)).toBe(expected)
    },
    SLOW_TEST_TIMEOUT_MS,
  )

  test(
    'the event loop keeps turning while a multi-100k-token prompt is counted',
    async () => {
      const texts = [prose(400_000, 3)]
      expect(o200k(texts[0]!)).toBeGreaterThan(100_000)
      let ticks = 0
      const interval = setInterval(() => ticks++, 0)
      let ticksWhenCounted = -1
      const counted = counter.count('gpt-4o', texts).then((total) => {
        ticksWhenCounted = ticks
        return total
      })
      // Counting inline would finish before count() returns, leaving no chance for a single tick.
      const ticksWhenCountReturned = ticks
      await counted
      clearInterval(interval)
      expect(ticksWhenCountReturned).toBe(0)
      expect(ticksWhenCounted).toBeGreaterThan(0)
    },
    SLOW_TEST_TIMEOUT_MS,
  )

  test(
    'a count in flight when close() is called still gets its answer, and later counts run inline',
    async () => {
      const closing = createTokenCounter({ maxThreads: 1 })
      const text = prose(100_000, 4)
      const inFlight = closing.count('gpt-4o', [text])
      await closing.close()
      expect(await inFlight).toBe(o200k(text))
      expect(await closing.count('gpt-4o', [text])).toBe(o200k(text))
    },
    SLOW_TEST_TIMEOUT_MS,
  )
})

describe('token counter process lifetime', () => {
  const preamble = `
    import { readdirSync } from 'node:fs'
    import { countingThreads, createTokenCounter } from './pool.ts'
    const threads = () => readdirSync('/proc/self/task').length
    const counter = createTokenCounter({ maxThreads: 1 })
    const big = 'lorem ipsum dolor sit amet, 你好世界 🙂 '.repeat(20_000)
  `

  test.skipIf(process.platform !== 'linux')(
    'starts no thread for small inputs, and the pool does not hold the process open without close()',
    async () => {
      const result = await runAlone(`${preamble}
      const before = threads()
      await counter.count('gpt-4o', ['hello world'])
      await counter.count('gpt-4o', [])
      await Bun.sleep(20)
      const afterSmall = threads()
      await counter.count('gpt-4o', [big])
      console.log(JSON.stringify({ before, afterSmall, afterLarge: threads() }))
    `)
      expect(result.stderr).toBe('')
      expect(result.exitCode).toBe(0)
      const threadCounts = JSON.parse(result.stdout) as { before: number; afterSmall: number; afterLarge: number }
      expect(threadCounts.afterSmall).toBe(threadCounts.before)
      expect(threadCounts.afterLarge).toBeGreaterThan(threadCounts.afterSmall)
    },
    SLOW_TEST_TIMEOUT_MS,
  )

  test(
    'a background count of a small text leaves the tables off the calling thread, until a foreground count needs them there',
    async () => {
      const result = await runAlone(`${preamble}
      import { encodingLoaded } from './count.ts'
      const background = await counter.count('gpt-4o', ['hello world'], { background: true })
      const loadedAfterBackground = encodingLoaded('o200k_base')
      const foreground = await counter.count('gpt-4o', ['hello world'])
      const loadedAfterForeground = encodingLoaded('o200k_base')
      // With the tables here, a background count is made here too (no round trip to the thread).
      const again = await counter.count('gpt-4o', ['hello again'], { background: true })
      await counter.close()
      console.log(JSON.stringify({ background, foreground, again, loadedAfterBackground, loadedAfterForeground }))
    `)
      expect(result.stderr).toBe('')
      expect(result.exitCode).toBe(0)
      expect(JSON.parse(result.stdout)).toEqual({ background: 2, foreground: 2, again: 2, loadedAfterBackground: false, loadedAfterForeground: true })
    },
    SLOW_TEST_TIMEOUT_MS,
  )

  test.skipIf(process.platform !== 'linux')(
    'every counter of a process shares one counting thread, and one closing leaves it to the others',
    async () => {
      const result = await runAlone(`${preamble}
      import { readFileSync } from 'node:fs'
      // Bun names each worker's thread "Worker".
      const workers = () => readdirSync('/proc/self/task').filter((task) => readFileSync('/proc/self/task/' + task + '/comm', 'utf8').trim() === 'Worker').length
      const others = [createTokenCounter({ maxThreads: 1 }), createTokenCounter({ maxThreads: 1 }), createTokenCounter({ maxThreads: 1 })]
      const totals = [await counter.count('gpt-4o', [big])]
      for (const other of others) totals.push(await other.count('gpt-4o', [big]))
      const workerThreads = workers()
      await others[0].close()
      totals.push(await others[1].count('gpt-4o', ['hello world'], { background: true }))
      const loadedHere = (await import('./count.ts')).encodingLoaded('o200k_base')
      console.log(JSON.stringify({ workerThreads, totals, loadedHere }))
    `)
      expect(result.stderr).toBe('')
      expect(result.exitCode).toBe(0)
      const outcome = JSON.parse(result.stdout) as { workerThreads: number; totals: number[]; loadedHere: boolean }
      const expected = o200k('lorem ipsum dolor sit amet, 你好世界 🙂 '.repeat(20_000))
      expect(outcome.totals).toEqual([expected, expected, expected, expected, 2])
      // One counting thread (with its own copy of the tables) for the four counters, not one each.
      expect(outcome.workerThreads).toBe(1)
      // The background count went to the shared thread after a counter closed: the tables never came to this thread.
      expect(outcome.loadedHere).toBe(false)
    },
    SLOW_TEST_TIMEOUT_MS,
  )

  test(
    'after close() the process exits on its own',
    async () => {
      const result = await runAlone(`${preamble}
      const total = await counter.count('gpt-4o', [big])
      await counter.close()
      console.log(total)
    `)
      expect(result.stderr).toBe('')
      expect(result.exitCode).toBe(0)
      expect(Number(result.stdout)).toBe(o200k('lorem ipsum dolor sit amet, 你好世界 🙂 '.repeat(20_000)))
    },
    SLOW_TEST_TIMEOUT_MS,
  )
})

describe('tokenizers declared by plugins', () => {
  const declared = createTokenCounter({
    tokenizerFor: (model) =>
      model === 'words-1' ? { count: (text) => text.split(/\s+/).filter(Boolean).length * 2 } : model === 'old-gen' ? { encoding: 'cl100k_base' } : undefined,
  })
  afterAll(() => declared.close())

  test("a plugin's own counter counts its models, another encoding is honoured, other models keep the default", async () => {
    const chinese = '巴黎是法国的首都，也是欧洲最大的城市之一。'
    expect(await declared.count('words-1', ['one two three', '', 'four'])).toBe(8)
    expect(await declared.count('old-gen', [chinese])).toBe(cl100k(chinese))
    expect(await declared.count('gpt-4o', [chinese])).toBe(o200k(chinese))
  })
})

describe('countingThreads', () => {
  // Each thread holds its own encoding tables (~80-100 MB of RSS): the default must not grow with the cores.
  test.each([
    [1, 1],
    [2, 1],
    [3, 2],
    [16, 2],
    [64, 2],
  ])('%i cores: %i threads', (cores, threads) => {
    expect(countingThreads(cores)).toBe(threads)
  })
})
