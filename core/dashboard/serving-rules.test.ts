import { describe, expect, test } from 'bun:test'
import { cacheControlFor, chooseEncoding, contentTypeFor, isReservedPath, looksLikeFile } from './serving-rules.ts'

describe('dashboard serving rules', () => {
  test('the gateway keeps its own paths, including Midjourney modes, but not look-alike app routes', () => {
    for (const path of [
      '/api',
      '/api/users',
      '/v1/models',
      '/v1beta/models',
      '/swagger',
      '/swagger/json',
      '/mj/submit/imagine',
      '/mj-fast/mj/task/1/fetch',
      '/suno/fetch',
      '/dashboard/billing/usage',
      '/health',
    ]) {
      expect([path, isReservedPath(path)]).toEqual([path, true])
    }
    for (const path of ['/', '/apiary', '/v1x', '/channels', '/dashboard', '/logs/mj']) expect([path, isReservedPath(path)]).toEqual([path, false])
  })

  test('brotli is preferred, q=0 refuses an encoding, and missing variants fall back', () => {
    const both = new Set(['br', 'gzip'] as const)
    expect(chooseEncoding('gzip, deflate, br, zstd', both)).toBe('br')
    expect(chooseEncoding('gzip;q=1.0, br;q=0', both)).toBe('gzip')
    expect(chooseEncoding('*', both)).toBe('br')
    expect(chooseEncoding('*;q=0, gzip', both)).toBe('gzip')
    expect(chooseEncoding('identity', both)).toBeUndefined()
    expect(chooseEncoding(null, both)).toBeUndefined()
    expect(chooseEncoding('br', new Set(['gzip'] as const))).toBeUndefined()
  })

  test('hashed assets are immutable, everything else revalidates; types follow extensions', () => {
    expect(cacheControlFor('assets/index-AbC.js')).toBe('public, max-age=31536000, immutable')
    expect(cacheControlFor('index.html')).toBe('no-cache')
    expect([contentTypeFor('assets/a.css'), contentTypeFor('a.woff2'), contentTypeFor('x.unknown')]).toEqual([
      'text/css; charset=utf-8',
      'font/woff2',
      'application/octet-stream',
    ])
    expect([looksLikeFile('/assets/a.js'), looksLikeFile('/.env'), looksLikeFile('/users/42'), looksLikeFile('/')]).toEqual([true, true, false, false])
  })
})
