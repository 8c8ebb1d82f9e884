// What the token counter's worker threads hold: `bun scripts/measure-token-pool.ts [threads]` counts 40
// prompts of ~26 KB (over the inline limit, so the pool counts them) with at most `threads` workers and
// prints the time and the RSS they added (each thread loads its own encoding tables). Not a test.
import { countingThreads, createTokenCounter } from '../core/tokenize/pool.ts'
import { availableParallelism } from 'node:os'

const threads = Number(process.argv[2] ?? countingThreads(availableParallelism()))
const counter = createTokenCounter({ maxThreads: threads })
const text = Array.from({ length: 3000 }, (_, index) => `word${(index * 7919) % 5003}`).join(' ')
const before = process.memoryUsage().rss
const started = performance.now()
await Promise.all(Array.from({ length: 40 }, () => counter.count('gpt-4o', [text])))
const elapsed = performance.now() - started
await Bun.sleep(1000)
console.log(
  `maxThreads ${threads}: 40 counts of ${(text.length / 1024).toFixed(0)} KB in ${elapsed.toFixed(0)} ms, RSS +${((process.memoryUsage().rss - before) / 1_048_576).toFixed(0)} MB`,
)
await counter.close()
