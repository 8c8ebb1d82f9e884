import { describe, expect, test } from 'bun:test'
import { exportUrl, filtersFromRoute, toLogQuery, toRouteQuery } from './log-filters.ts'
import { readBreakdown } from './price-breakdown.ts'

describe('log filters', () => {
  test('an address round-trips into the API query; malformed values are dropped', () => {
    const filters = filtersFromRoute({
      type: 'consume',
      model: ' gpt-4o ',
      userId: '3',
      channelId: 'x',
      tokenId: '-1',
      requestId: 'req-1',
      from: '2025-01-01T00:00:00.000Z',
      to: '2025-01-02T00:00:00.000Z',
    })
    expect(filters).toEqual({
      range: [Date.parse('2025-01-01T00:00:00Z'), Date.parse('2025-01-02T00:00:00Z')],
      type: 'consume',
      model: 'gpt-4o',
      userId: 3,
      tokenId: null,
      channelId: null,
      requestId: 'req-1',
    })
    const query = toLogQuery(filters, true)
    expect(toRouteQuery(query)).toEqual({
      from: '2025-01-01T00:00:00.000Z',
      to: '2025-01-02T00:00:00.000Z',
      type: 'consume',
      model: 'gpt-4o',
      userId: '3',
      requestId: 'req-1',
    })
    expect(filtersFromRoute({ type: 'nonsense' }).type).toBeNull()
  })

  test('plain users never send user or channel filters; the export takes the same filters', () => {
    const filters = { range: null, type: null, model: 'm', userId: 4, tokenId: 7, channelId: 2, requestId: '' }
    expect(toLogQuery(filters, false)).toEqual({ model: 'm', tokenId: 7 })
    expect(exportUrl(toLogQuery(filters, true))).toBe('/api/logs/export?model=m&userId=4&tokenId=7&channelId=2')
    expect(exportUrl({})).toBe('/api/logs/export')
  })
})

describe('price breakdown', () => {
  test('reads what settle stores and derives the formula with the default rates', () => {
    const view = readBreakdown({
      outcome: 'completed',
      usageSource: 'upstream',
      reserved: 900,
      priced: 600,
      charged: 500,
      shortfall: 100,
      groupRatio: 1.5,
      baseUsd: 0.0008,
      price: { inputPerMTok: 2, outputPerMTok: 8 },
      tokens: { input: 100, cacheRead: 50, cacheWrite: 0, output: 20, reasoning: 5 },
      warnings: ['dropped logprobs', 3],
    })
    expect(view.warnings).toEqual(['dropped logprobs'])
    expect([view.charged, view.shortfall, view.reserved, view.groupRatio]).toEqual([500, 100, 900, 1.5])
    expect(view.formula).toEqual([
      { kind: 'input', tokens: 100, ratePerMTok: 2, derived: false },
      { kind: 'cacheRead', tokens: 50, ratePerMTok: 2, derived: true },
      { kind: 'output', tokens: 20, ratePerMTok: 8, derived: false },
    ])
  })

  test('error rows and rows without details have nothing priced', () => {
    expect(readBreakdown({ code: 'upstream_error' })).toEqual({ warnings: [], formula: [], code: 'upstream_error' })
    expect(readBreakdown(null)).toEqual({ warnings: [], formula: [] })
  })
})
