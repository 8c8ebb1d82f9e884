import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { totpCode } from '../../core/security/totp.ts'

// TOTP enrolment and sign-in with a second factor; codes and recovery codes work once.

describe('two-factor sign-in', () => {
  let gateway: TestGateway
  let token: string
  let secret: string
  let recoveryCodes: string[]

  const login = (code?: string) =>
    fetch(`${gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'careful-user', password: 'password-123', ...(code ? { code } : {}) }),
    })
  const post = (path: string, body: unknown = {}) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  beforeAll(async () => {
    gateway = await startGateway()
    await gateway.createUser({ username: 'careful-user', quota: 0 })
    token = ((await (await login()).json()) as { accessToken: string }).accessToken
  })
  afterAll(async () => {
    await gateway.stop()
  })

  test('enrolment gives a secret and an otpauth URL, and only a current code confirms it', async () => {
    const setup = (await (await post('/api/users/me/two-factor/setup')).json()) as { secret: string; otpauthUrl: string }
    secret = setup.secret
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(setup.otpauthUrl).toStartWith('otpauth://totp/Hanggent:careful-user?')
    expect((await post('/api/users/me/two-factor/enable', { code: '000000' })).status).toBe(400)
    const enabled = await post('/api/users/me/two-factor/enable', { code: totpCode(secret, new Date()) })
    expect(enabled.status).toBe(200)
    recoveryCodes = ((await enabled.json()) as { recoveryCodes: string[] }).recoveryCodes
    expect(recoveryCodes.length).toBe(10)
    expect((await post('/api/users/me/two-factor/setup')).status).toBe(409)
  })

  test('sign-in now asks for the code; a code works once', async () => {
    const without = await login()
    expect(without.status).toBe(401)
    expect(((await without.json()) as { error: { code: string } }).error.code).toBe('totp_required')
    const next = totpCode(secret, new Date(Date.now() + 30_000))
    expect((await login(next)).status).toBe(200)
    expect((await login(next)).status).toBe(401)
    expect((await login('123456')).status).toBe(401)
  })

  test('a recovery code signs in once', async () => {
    expect((await login(recoveryCodes[0])).status).toBe(200)
    expect((await login(recoveryCodes[0])).status).toBe(401)
  })

  test('turning it off needs a valid code; then the password alone works again', async () => {
    expect((await post('/api/users/me/two-factor/disable', { code: 'wrong-code' })).status).toBe(400)
    expect((await post('/api/users/me/two-factor/disable', { code: recoveryCodes[1] })).status).toBe(200)
    expect((await login()).status).toBe(200)
  })
})
