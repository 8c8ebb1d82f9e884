import { describe, expect, test } from 'bun:test'
import { watchIdle } from './idle-watch.ts'

describe('idle watch', () => {
  test('fires once after the timeout of silence, not while events keep coming', async () => {
    let fired = 0
    const watch = watchIdle(60, () => fired++)
    for (let index = 0; index < 6; index++) {
      await Bun.sleep(20)
      watch.touch()
    }
    expect(fired).toBe(0)
    await Bun.sleep(120)
    expect(fired).toBe(1)
    watch.touch()
    await Bun.sleep(100)
    expect(fired).toBe(1)
  })

  test('a stopped watch never fires', async () => {
    let fired = 0
    const watch = watchIdle(20, () => fired++)
    watch.stop()
    await Bun.sleep(60)
    expect(fired).toBe(0)
  })
})
