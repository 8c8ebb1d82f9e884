import { describe, expect, test } from 'bun:test'
import { createSecretBox } from '../security/crypto.ts'
import { GatewayError } from '../errors.ts'
import { openFlow, pkceChallenge, safeRedirectPath, sealFlow, wantsJson, type OAuthFlow } from './oauth-state.ts'

describe('PKCE', () => {
  test('the S256 challenge matches RFC 7636 appendix B', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
  })
})

describe('flow cookie', () => {
  const box = createSecretBox('flow-cookie-test-secret')
  const now = new Date('2030-01-01T00:00:00Z')
  const flow: OAuthFlow = {
    provider: 'github',
    state: 's'.repeat(32),
    verifier: 'v'.repeat(64),
    nonce: null,
    redirect: '/',
    linkUserId: null,
    redirectUri: 'http://x/cb',
    expiresAt: now.getTime() + 1000,
  }

  test('opens for the provider it was sealed for, until it expires', () => {
    const sealed = sealFlow(box, flow)
    expect(sealed).not.toContain(flow.state)
    expect(openFlow(box, sealed, 'github', now)).toEqual(flow)
    expect(openFlow(box, sealed, 'discord', now)).toBeUndefined()
    expect(openFlow(box, sealed, 'github', new Date(now.getTime() + 1000))).toBeUndefined()
  })

  test('a tampered or foreign cookie does not open', () => {
    const parts = sealFlow(box, flow).split('.')
    parts[3] = `${parts[3]!.slice(0, -2)}AA`
    expect(openFlow(box, parts.join('.'), 'github', now)).toBeUndefined()
    expect(openFlow(createSecretBox('another-secret'), sealFlow(box, flow), 'github', now)).toBeUndefined()
    expect(openFlow(box, undefined, 'github', now)).toBeUndefined()
  })
})

describe('redirect paths', () => {
  test('same-origin paths pass, with query and fragment', () => {
    expect(safeRedirectPath(undefined)).toBe('/')
    expect(safeRedirectPath('')).toBe('/')
    expect(safeRedirectPath('/tokens?page=2#top')).toBe('/tokens?page=2#top')
    expect(safeRedirectPath('/a/../b')).toBe('/b')
  })

  test('anything that could leave the site is refused, naming the parameter', () => {
    for (const value of ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', 'tokens', '/\ttab', ' /x']) {
      const error = (() => {
        try {
          safeRedirectPath(value)
        } catch (caught) {
          return caught
        }
      })()
      expect(error).toBeInstanceOf(GatewayError)
      expect((error as GatewayError).param).toBe('redirect')
    }
  })
})

describe('wantsJson', () => {
  test('API clients, not browsers', () => {
    expect(wantsJson(new Request('http://x/', { headers: { accept: 'application/json' } }))).toBe(true)
    expect(wantsJson(new Request('http://x/', { headers: { accept: 'text/html,application/xhtml+xml,application/json;q=0.9' } }))).toBe(false)
    expect(wantsJson(new Request('http://x/'))).toBe(false)
  })
})
