import { describe, expect, test } from 'bun:test'
import { createHash, createHmac } from 'node:crypto'
import { telegramCheckString, telegramIdentity, telegramLoginProblem } from './telegram-login.ts'

const token = '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11'
const now = new Date('2030-06-01T12:00:00Z')
const authDate = Math.floor(now.getTime() / 1000) - 60

function sign(data: Record<string, string | number>): string {
  const lines = Object.keys(data)
    .sort()
    .map((key) => `${key}=${data[key]}`)
    .join('\n')
  return createHmac('sha256', createHash('sha256').update(token).digest()).update(lines).digest('hex')
}

describe('Telegram Login data', () => {
  const fields = { id: 42, first_name: 'Ada', username: 'ada', auth_date: authDate }
  const data = { ...fields, hash: sign(fields) }

  test('the check string is the sorted key=value lines without the hash or absent fields', () => {
    expect(telegramCheckString({ ...data, last_name: undefined })).toBe(`auth_date=${authDate}\nfirst_name=Ada\nid=42\nusername=ada`)
  })

  test('genuine, fresh data passes', () => {
    expect(telegramLoginProblem(data, token, now)).toBeUndefined()
  })

  test('a changed field, another token, old or future data fail', () => {
    expect(telegramLoginProblem({ ...data, username: 'eve' }, token, now)).toContain('not signed')
    expect(telegramLoginProblem(data, '654321:another', now)).toContain('not signed')
    expect(telegramLoginProblem(data, token, new Date(now.getTime() + 86_400_000))).toContain('more than a day old')
    const future = { ...fields, auth_date: authDate + 3600 }
    expect(telegramLoginProblem({ ...future, hash: sign(future) }, token, now)).toContain('future')
  })

  test('the identity uses the Telegram id as subject', () => {
    expect(telegramIdentity({ ...data, last_name: 'L' })).toEqual({
      provider: 'telegram',
      subject: '42',
      login: 'ada',
      email: null,
      displayName: 'Ada L',
      usernameHint: 'ada',
    })
    expect(telegramIdentity({ id: 7, first_name: 'Без', auth_date: 1, hash: 'x' }).usernameHint).toBe('Без')
  })
})
