import { describe, expect, test } from 'bun:test'
import { convertOptions } from './legacy-options.ts'
import { normaliseSourceUrl, sourceKindOf } from './source-database.ts'
import { channelTypeLabel, channelTypeTarget } from './channel-type-map.ts'

describe('convertOptions', () => {
  test('ratios become modelRatios / modelPrices / groupRatios; unknown keys are listed by name only', () => {
    const result = convertOptions([
      { key: 'ModelRatio', value: '{"gpt-4o":1.25,"bad":"x"}' },
      { key: 'CompletionRatio', value: '{"gpt-4o":4,"orphan":2}' },
      { key: 'CacheRatio', value: '{"gpt-4o":0.5}' },
      { key: 'GroupRatio', value: '{"default":1,"vip":0.8}' },
      { key: 'ModelPrice', value: '{"dall-e-3":0.04}' },
      { key: 'GitHubClientSecret', value: 'very-secret' },
    ])
    expect(result.modelRatios).toEqual({ 'gpt-4o': { modelRatio: 1.25, completionRatio: 4, cacheRatio: 0.5 } })
    expect(result.modelPrices).toEqual({ 'dall-e-3': { perCall: 0.04 } })
    expect(result.groupRatios).toEqual({ default: 1, vip: 0.8 })
    expect(result.notCarried).toEqual(['GitHubClientSecret'])
    expect(result.warnings.join('\n')).toContain('"bad" is not a non-negative number')
    expect(result.warnings.join('\n')).toContain('CompletionRatio names 1 model(s) without a ModelRatio (orphan)')
    expect(result.warnings.join('\n')).not.toContain('very-secret')
  })

  test('a QuotaPerUnit other than 500,000 scales units and ratios so USD values stay the same', () => {
    const result = convertOptions([
      { key: 'QuotaPerUnit', value: '1000000' },
      { key: 'ModelRatio', value: '{"m":2}' },
      { key: 'QuotaForNewUser', value: '1000000' },
    ])
    expect(result.unitScale).toBe(0.5)
    expect(result.modelRatios.m).toEqual({ modelRatio: 1 })
    expect(result.newUserQuota).toBe(500_000)
  })
})

describe('sources and channel types', () => {
  test("Go MySQL DSNs (One API's SQL_DSN) become URLs; schemes pick the engine", () => {
    expect(normaliseSourceUrl('oneapi:p@ss@tcp(db.local:3306)/oneapi?charset=utf8mb4&parseTime=True')).toBe('mysql://oneapi:p%40ss@db.local:3306/oneapi')
    expect(sourceKindOf('root@tcp(127.0.0.1:3306)/newapi')).toBe('mysql')
    expect(sourceKindOf('postgresql://u@h/db')).toBe('postgres')
    expect(() => sourceKindOf('redis://h')).toThrow('unsupported URL scheme')
    expect(() => sourceKindOf('/missing/one-api.db')).toThrow('no SQLite file at /missing/one-api.db')
  })

  test('type numbers diverge between the projects: 36 and 43', () => {
    expect(channelTypeTarget('one-api', 36)).toEqual({ type: 'openai-compatible', defaultBaseUrl: 'https://api.deepseek.com' })
    expect(channelTypeTarget('new-api', 43)).toEqual({ type: 'openai-compatible', defaultBaseUrl: 'https://api.deepseek.com' })
    expect(channelTypeTarget('new-api', 36)).toBeUndefined()
    expect(channelTypeLabel('new-api', 36)).toBe('36 (Suno)')
    expect(channelTypeLabel('one-api', 43)).toBe('43 (Proxy)')
  })
})
