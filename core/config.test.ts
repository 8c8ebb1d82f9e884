import { describe, expect, test } from 'bun:test'
import { ConfigError, loadConfig } from './config.ts'

describe('loadConfig', () => {
  test('defaults give an embedded setup on port 3000', () => {
    const config = loadConfig({})
    expect(config.port).toBe(3000)
    expect(config.dataDir).toBe('./data')
    expect(config.databaseUrl).toBeUndefined()
    expect(config.streamingTimeoutSeconds).toBe(300)
    expect(config.maxRequestBodyMb).toBe(32)
    expect(config.streamScannerMaxBufferMb).toBe(64)
    expect(config.azureDefaultApiVersion).toBe('2025-04-01-preview')
    expect({ memoryKib: config.passwordHashMemoryKib, timeCost: config.passwordHashTimeCost }).toEqual({ memoryKib: 65_536, timeCost: 2 })
  })

  test('New API variable names are accepted', () => {
    const config = loadConfig({ SQL_DSN: 'postgres://u@h/db', REDIS_CONN_STRING: 'redis://h:6379', CRYPTO_SECRET: 'a-long-enough-secret' })
    expect(config.databaseUrl).toBe('postgres://u@h/db')
    expect(config.redisUrl).toBe('redis://h:6379')
  })

  test.each([
    [{ PORT: 'abc' }, /^PORT: expected a number/],
    [{ PORT: '70000' }, /^PORT: /],
    [{ STREAMING_TIMEOUT: '0' }, /^STREAMING_TIMEOUT: /],
    [{ MAX_REQUEST_BODY_MB: '-1' }, /^MAX_REQUEST_BODY_MB: /],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ REDIS_URL: 'http://nope' }, /^REDIS_URL: /],
    [{ SQL_DSN: 'root:pw@tcp(localhost:3306)/db' }, /^SQL_DSN: only postgres/],
    [{ DATABASE_URL: 'postgres://u@h/db' }, /^CRYPTO_SECRET: required with DATABASE_URL/],
    [{ CRYPTO_SECRET: 'short' }, /^CRYPTO_SECRET: /],
    [{ PASSWORD_HASH_MEMORY_KIB: '4096' }, /^PASSWORD_HASH_MEMORY_KIB: /],
    [{ PASSWORD_HASH_TIME_COST: '1' }, /^PASSWORD_HASH_TIME_COST: /],
  ])('%p is refused with a line naming the variable', (env, message) => {
    expect(() => loadConfig(env as Record<string, string>)).toThrow(ConfigError)
    expect(() => loadConfig(env as Record<string, string>)).toThrow(message)
  })

  test('secret values are never echoed in the error', () => {
    try {
      loadConfig({ ROOT_PASSWORD: 'short' })
      throw new Error('expected a ConfigError')
    } catch (error) {
      expect(String(error)).toContain('ROOT_PASSWORD')
      expect(String(error)).not.toContain('"short"')
    }
  })
})
