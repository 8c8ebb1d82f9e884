import { describe, expect, test } from 'bun:test'
import { decodeProtectedHeader, jwtVerify } from 'jose'
import { GatewayError } from '@hanggent/plugin-sdk'
import { klingToken, readKlingKey } from './kling-auth.ts'

// Kling's token: HS256 over {iss: access key, exp: now + 30 min, nbf: now − 5 s}, verified here with jose
// as Kling's server would; the channel key must be `accessKey|secretKey`.

describe('kling token', () => {
  test('verifies with the secret key, names the access key and lives 30 minutes from 5 s ago', async () => {
    const now = Math.floor(Date.now() / 1000)
    const token = klingToken('ak-123|sk-secret', now)
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' })
    const { payload } = await jwtVerify(token, new TextEncoder().encode('sk-secret'), { algorithms: ['HS256'], issuer: 'ak-123' })
    expect(payload).toEqual({ iss: 'ak-123', exp: now + 1800, nbf: now - 5 })
    await expect(jwtVerify(token, new TextEncoder().encode('another-secret'))).rejects.toThrow()
  })

  test('a key without both halves is refused', () => {
    expect(readKlingKey(' ak | sk ')).toEqual({ accessKey: 'ak', secretKey: 'sk' })
    for (const key of ['only-one-part', '|sk', 'ak|']) expect(() => readKlingKey(key)).toThrow(GatewayError)
  })
})
