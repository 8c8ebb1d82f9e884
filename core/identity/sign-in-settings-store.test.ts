import { describe, expect, test } from 'bun:test'
import { GatewayError } from '../errors.ts'
import {
  applySignInPatch,
  checkSignInSettings,
  normalizeSignInSettings,
  providerRegistrationAllowed,
  signInStatus,
  toSignInSettingsView,
} from './sign-in-settings-store.ts'

const seal = (plain: string) => `sealed(${plain})`

describe('sign-in settings', () => {
  test('a partly stored row gets every default', () => {
    const settings = normalizeSignInSettings({ registrationEnabled: true, github: { enabled: true, clientId: 'id' } })
    expect(settings.registrationEnabled).toBe(true)
    expect(settings.github).toEqual({
      enabled: true,
      clientId: 'id',
      clientSecretSealed: null,
      authorizeUrl: 'https://github.com/login/oauth/authorize',
      tokenUrl: 'https://github.com/login/oauth/access_token',
      userInfoUrl: 'https://api.github.com/user',
    })
    expect(settings.oidc.scopes).toBe('openid profile email')
    expect(normalizeSignInSettings(undefined).telegram).toEqual({ enabled: false, botName: '', botTokenSealed: null })
  })

  test('secrets are sealed on the way in; omitted ones are kept, null removes', () => {
    const first = applySignInPatch(normalizeSignInSettings({}), { github: { clientId: 'id', clientSecret: 'secret-1' }, telegram: { botToken: '1:abc' } }, seal)
    expect(first.github.clientSecretSealed).toBe('sealed(secret-1)')
    expect(first.telegram.botTokenSealed).toBe('sealed(1:abc)')
    const kept = applySignInPatch(first, { github: { clientId: 'id-2' } }, seal)
    expect(kept.github).toMatchObject({ clientId: 'id-2', clientSecretSealed: 'sealed(secret-1)' })
    expect(applySignInPatch(kept, { github: { clientSecret: null } }, seal).github.clientSecretSealed).toBeNull()
    expect(applySignInPatch(kept, { publicUrl: 'https://gw.example.com///' }, seal).publicUrl).toBe('https://gw.example.com')
  })

  test('the admin view says whether a secret is set, never what it is', () => {
    const settings = applySignInPatch(normalizeSignInSettings({}), { oidc: { clientSecret: 'oidc-secret' } }, seal)
    const view = JSON.stringify(toSignInSettingsView(settings, 'http://gw'))
    expect(view).not.toContain('oidc-secret')
    expect(view).not.toContain('sealed(')
    expect(toSignInSettingsView(settings, 'http://gw').oidc).toMatchObject({ clientSecretSet: true, callbackUrl: 'http://gw/api/auth/oauth/oidc/callback' })
  })

  test('only switched-on, complete providers reach the login page', () => {
    const enabledButIncomplete = normalizeSignInSettings({ github: { enabled: true, clientId: 'id' } })
    expect(() => checkSignInSettings(enabledButIncomplete)).toThrow(GatewayError)
    expect(signInStatus(enabledButIncomplete).signInMethods).toEqual(['password'])
    const complete = normalizeSignInSettings({
      github: { enabled: true, clientId: 'id', clientSecretSealed: 'x' },
      discord: { clientId: 'id', clientSecretSealed: 'x' },
    })
    expect(signInStatus(complete)).toEqual({
      signInMethods: ['password', 'github'],
      signInProviders: [{ id: 'github', name: 'GitHub', kind: 'oauth', startUrl: '/api/auth/oauth/github/start' }],
      registrationEnabled: false,
    })
  })

  test('provider registration follows registration unless set on its own', () => {
    expect(providerRegistrationAllowed(normalizeSignInSettings({}))).toBe(false)
    expect(providerRegistrationAllowed(normalizeSignInSettings({ registrationEnabled: true }))).toBe(true)
    expect(providerRegistrationAllowed(normalizeSignInSettings({ registrationEnabled: true, allowOAuthRegistration: false }))).toBe(false)
    expect(providerRegistrationAllowed(normalizeSignInSettings({ allowOAuthRegistration: true }))).toBe(true)
  })
})
