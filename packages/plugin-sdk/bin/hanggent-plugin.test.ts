import { describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { parseArguments } from './hanggent-plugin.ts'

// `hanggent-plugin check`: the command line, and its exit code and report on a failing plugin.

const cli = fileURLToPath(new URL('./hanggent-plugin.ts', import.meta.url))
const fixture = (name: string) => fileURLToPath(new URL(`../test-fixtures/${name}`, import.meta.url))

describe('hanggent-plugin CLI', () => {
  test('reads the plugin path and the gateway options; anything else is a usage error', () => {
    expect(parseArguments(['check', './my-plugin'])).toEqual({ path: './my-plugin', gateway: true })
    expect(parseArguments(['check', './my-plugin', '--no-gateway', '--gateway', '/srv/gateway'])).toEqual({
      path: './my-plugin',
      gateway: false,
      gatewayRoot: '/srv/gateway',
    })
    expect(parseArguments(['lint', './my-plugin'])).toHaveProperty('error')
    expect(parseArguments(['check'])).toHaveProperty('error')
    expect(parseArguments(['check', './a', './b'])).toEqual({ error: expect.stringContaining('unexpected argument "./b"') })
  })

  test('a failing plugin exits 1 and prints each failure; a conforming one exits 0', async () => {
    const run = async (path: string) => {
      const child = Bun.spawn([process.execPath, cli, 'check', path, '--no-gateway'], { stdout: 'pipe', stderr: 'pipe' })
      return { code: await child.exited, out: await new Response(child.stdout).text() }
    }
    const broken = await run(fixture('missing-price'))
    expect(broken.code).toBe(1)
    expect(broken.out).toContain('Plugin missing-price: 1 failure(s)\n  FAIL pricing: model "missing-price-2" has no price')
    const good = await run(fixture('tiny-vendor'))
    expect(good.code).toBe(0)
    expect(good.out).toStartWith('Plugin tiny-vendor: conforms\n')
  })
})
