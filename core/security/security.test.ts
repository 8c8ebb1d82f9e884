import { describe, expect, test } from 'bun:test'
import { createSecretBox, maskSecret, newApiKey } from './crypto.ts'
import { compileIpAllowlist, findInvalidIpEntry } from './ip-allowlist.ts'

describe('secret box', () => {
  const box = createSecretBox('a-secret-of-reasonable-length')

  test('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('sk-live-123456')
    expect(sealed).not.toContain('sk-live')
    expect(box.open(sealed)).toBe('sk-live-123456')
  })

  test('each seal is different (random IV)', () => {
    expect(box.seal('x')).not.toBe(box.seal('x'))
  })

  test('a different secret or tampered data cannot open it', () => {
    const sealed = box.seal('secret')
    expect(() => createSecretBox('another-secret-entirely').open(sealed)).toThrow()
    const parts = sealed.split('.')
    parts[3] = Buffer.from('tampered').toString('base64url')
    expect(() => box.open(parts.join('.'))).toThrow()
  })
})

describe('api keys', () => {
  test('look like OpenAI keys and are unique', () => {
    const key = newApiKey()
    expect(key).toMatch(/^sk-[A-Za-z0-9]{48}$/)
    expect(newApiKey()).not.toBe(key)
  })
  test('masking keeps only the ends', () => {
    expect(maskSecret('sk-abcdefghijklmnop')).toBe('sk-…mnop')
    expect(maskSecret('short')).toBe('****')
  })
})

describe('ip allowlist', () => {
  const list = compileIpAllowlist(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32'])
  test.each([
    ['10.1.2.3', true],
    ['::ffff:10.1.2.3', true],
    ['11.0.0.1', false],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['2001:db8::1', true],
    ['2001:db9::1', false],
    ['not-an-ip', false],
  ])('%s → %p', (address, allowed) => {
    expect(list.allows(address)).toBe(allowed)
  })
  test('invalid entries are found for validation errors', () => {
    expect(findInvalidIpEntry(['10.0.0.0/8', '1.2.3.4'])).toBeUndefined()
    expect(findInvalidIpEntry(['10.0.0.0/33'])).toBe('10.0.0.0/33')
    expect(findInvalidIpEntry(['example.com'])).toBe('example.com')
    expect(findInvalidIpEntry(['1.2.3.4/x'])).toBe('1.2.3.4/x')
  })
})
