import { describe, expect, test } from 'bun:test'
import { planAttempts, resolveModelMapping, weightedShuffle } from './select-channel.ts'

/** A deterministic random source cycling through the given values. */
function sequence(...values: number[]): () => number {
  let index = 0
  return () => values[index++ % values.length] ?? 0
}

describe('planAttempts', () => {
  const channels = [
    { id: 1, priority: 0, weight: 1 },
    { id: 2, priority: 10, weight: 1 },
    { id: 3, priority: 10, weight: 3 },
    { id: 4, priority: 5, weight: 1 },
  ]

  test('tries the highest tier first, then lower tiers in order', () => {
    const plan = planAttempts(channels, 10, sequence(0))
    expect(plan.map((channel) => channel.priority)).toEqual([10, 10, 5, 0])
  })

  test('stops at the attempt budget', () => {
    expect(planAttempts(channels, 2, sequence(0)).length).toBe(2)
    expect(planAttempts(channels, 0, sequence(0)).length).toBe(1)
  })

  test('weights decide the share inside a tier', () => {
    const counts = new Map<number, number>()
    let seed = 1
    const random = () => {
      seed = (seed * 16807) % 2147483647
      return (seed - 1) / 2147483646
    }
    for (let i = 0; i < 4000; i++) {
      const first = planAttempts(channels, 1, random)[0]!
      counts.set(first.id, (counts.get(first.id) ?? 0) + 1)
    }
    expect(counts.get(1)).toBeUndefined()
    expect(counts.get(4)).toBeUndefined()
    const share = (counts.get(3) ?? 0) / 4000
    expect(share).toBeGreaterThan(0.7)
    expect(share).toBeLessThan(0.8)
  })

  test('all-zero weights share equally', () => {
    const zero = [
      { id: 'a', priority: 0, weight: 0 },
      { id: 'b', priority: 0, weight: 0 },
    ]
    expect(weightedShuffle(zero, sequence(0.9))[0]!.id).toBe('b')
    expect(weightedShuffle(zero, sequence(0.1))[0]!.id).toBe('a')
  })
})

describe('resolveModelMapping', () => {
  test('follows chains', () => {
    expect(resolveModelMapping({ a: 'b', b: 'c' }, 'a')).toBe('c')
  })
  test('leaves unmapped models alone', () => {
    expect(resolveModelMapping({ a: 'b' }, 'z')).toBe('z')
  })
  test('stops on a cycle instead of looping', () => {
    expect(resolveModelMapping({ a: 'b', b: 'a' }, 'a')).toBe('b')
  })
})
