import { describe, expect, test } from 'bun:test'
import { createCoalescedRunner } from './coalesced-runner.ts'

function deferred() {
  let resolve = () => {}
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

describe('createCoalescedRunner', () => {
  test('runs at once when idle and settles after the run', async () => {
    const calls: string[] = []
    const request = createCoalescedRunner(async (key: string) => {
      calls.push(key)
    })
    await request('tokens')
    expect(calls).toEqual(['tokens'])
  })

  test('a burst during a run costs one follow-up run that starts after the first finishes', async () => {
    const gates = [deferred(), deferred()]
    let started = 0
    let finished = 0
    const request = createCoalescedRunner(async () => {
      const gate = gates[started++]
      await gate?.promise
      finished++
    })
    const first = request('tokens')
    const second = request('tokens')
    const third = request('tokens')
    expect(second).toBe(third)
    expect(started).toBe(1)
    gates[0]?.resolve()
    await first
    expect(finished).toBe(1)
    await Bun.sleep(0)
    expect(started).toBe(2)
    gates[1]?.resolve()
    await second
    expect(finished).toBe(2)
    expect(started).toBe(2)
  })

  test('keys are independent', async () => {
    const gate = deferred()
    const started: string[] = []
    const request = createCoalescedRunner(async (key: string) => {
      started.push(key)
      if (key === 'tokens') await gate.promise
    })
    const tokens = request('tokens')
    await request('users')
    expect(started).toEqual(['tokens', 'users'])
    gate.resolve()
    await tokens
  })

  test('a failed run does not block the follow-up', async () => {
    let runs = 0
    const request = createCoalescedRunner(async () => {
      runs++
      if (runs === 1) throw new Error('boom')
    })
    const first = request('options')
    const second = request('options')
    await expect(first).rejects.toThrow('boom')
    await second
    expect(runs).toBe(2)
  })
})
