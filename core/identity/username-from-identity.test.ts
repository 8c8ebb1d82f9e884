import { describe, expect, test } from 'bun:test'
import { randomUsername, usernameBase, usernameCandidates } from './username-from-identity.ts'

describe('usernames from provider logins', () => {
  test('logins are cleaned to the username rules', () => {
    expect(usernameBase('octo-cat', 'github', '1')).toBe('octo-cat')
    expect(usernameBase('José Ñúñez', 'oidc', 'x')).toBe('Jose-Nunez')
    expect(usernameBase('--a b--', 'discord', '9')).toBe('a-b')
    expect(usernameBase('x'.repeat(100), 'github', '1')).toHaveLength(56)
  })

  test('too few usable characters fall back to provider and id', () => {
    expect(usernameBase('Без', 'telegram', '93372553')).toBe('telegram-93372553')
    expect(usernameBase('ab', 'github', '583231')).toBe('github-583231')
  })

  test('candidates add numeric suffixes, then a random one', () => {
    expect(usernameCandidates('ada').slice(0, 3)).toEqual(['ada', 'ada-2', 'ada-3'])
    expect(usernameCandidates('ada')).toHaveLength(9)
    expect(randomUsername('ada')).toMatch(/^ada-[a-z0-9]{6}$/)
    for (const name of [...usernameCandidates('x'.repeat(56)), randomUsername('x'.repeat(56))]) expect(name).toMatch(/^[A-Za-z0-9_.-]{3,64}$/)
  })
})
