import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { gatewayCommand, parseGatewayEnv } from './gateway-under-test.ts'

// The bench must measure the gateway as `npm start` runs it; a trial's flags and environment are added
// on top, for that process only, and a malformed trial setting stops the bench instead of being dropped.

describe('gateway under test', () => {
  test('runs core/main.ts as npm start does, with the trial flags and the profiler before it', () => {
    const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.start!
    expect(start.split('&&').at(-1)!.trim()).toBe('bun core/main.ts')
    expect(gatewayCommand('/bin/bun', undefined)).toEqual(['/bin/bun', 'core/main.ts'])
    expect(gatewayCommand('/bin/bun', '/tmp/p', ' --smol  --expose-gc')).toEqual([
      '/bin/bun',
      '--smol',
      '--expose-gc',
      '--cpu-prof',
      '--cpu-prof-md',
      '--cpu-prof-dir=/tmp/p',
      'core/main.ts',
    ])
  })

  test('BENCH_GATEWAY_ENV pairs keep everything after the first =, and a pair without a name is an error', () => {
    expect(parseGatewayEnv('')).toEqual({})
    expect(parseGatewayEnv('MIMALLOC_PURGE_DELAY=0,PGLITE=a=b;c')).toEqual({ MIMALLOC_PURGE_DELAY: '0', PGLITE: 'a=b;c' })
    expect(() => parseGatewayEnv('MIMALLOC_PURGE_DELAY')).toThrow('"MIMALLOC_PURGE_DELAY" is not NAME=value')
    expect(() => parseGatewayEnv('=1')).toThrow('not NAME=value')
  })
})
