import { describe, expect, test } from 'bun:test'
import { createI18n } from 'vue-i18n'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LOCALES, type Locale } from './locales.ts'
import { mergeMessageModules, namespaceOf } from './merge-messages.ts'
import { pluralRules } from './plural-rules.ts'

// Every language has every message (none empty), and every key the code asks for exists: a page
// author who forgets a translation or mistypes a key fails here, not in front of a user.

const SRC = fileURLToPath(new URL('..', import.meta.url))
const MESSAGES = fileURLToPath(new URL('./messages', import.meta.url))

/** Dotted key → value for every leaf of a message tree (non-strings are kept to be reported). */
function leaves(tree: unknown, prefix = ''): Map<string, unknown> {
  const found = new Map<string, unknown>()
  if (typeof tree !== 'object' || tree === null) return found
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    if (typeof value === 'object' && value !== null) for (const [inner, leaf] of leaves(value, path)) found.set(inner, leaf)
    else found.set(path, value)
  }
  return found
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.(vue|ts)$/.test(name) && !name.endsWith('.test.ts') ? [path] : []
  })
}

/**
 * Literal message keys used in the code: every `t('a.b')`, `$t("a.b")` or `te('a.b')` call, and any
 * other quoted `'<area>.…'` string of a known area (menu entries, route titles, error overrides are
 * passed to `t` later). Keys built at run time cannot be checked; keep them literal.
 */
export function usedKeys(source: string, namespaces: readonly string[]): string[] {
  const keys = new Set<string>()
  // Comments mention field paths and keys in prose; only code counts.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
  for (const match of code.matchAll(/(?<![\w$.])\$?te?\(\s*(['"`])([A-Za-z][\w-]*(?:\.[\w-]+)+)\1/g)) keys.add(match[2]!)
  const areas = namespaces.join('|')
  // A quoted `<area>.…` string is a key handed around (e.g. a titleKey); an attribute value (`="settings.model"`)
  // is a template expression or plain text, not a key.
  for (const match of code.matchAll(new RegExp(`(?<!=)(['"\`])((?:${areas})(?:\\.[\\w-]+)+)\\1`, 'g'))) {
    if (!/\.(ts|vue|js|css)$/.test(match[2]!)) keys.add(match[2]!)
  }
  return [...keys]
}

const files = readdirSync(MESSAGES).filter((name) => name.endsWith('.ts'))
const modules = Object.fromEntries(await Promise.all(files.map(async (name) => [`./messages/${name}`, await import(join(MESSAGES, name))] as const)))
const merged = mergeMessageModules(modules)
const reference = leaves(merged.en)
const namespaces = Object.keys(merged.en)

describe('dashboard messages', () => {
  test('every area file exports one object with exactly the five languages', () => {
    for (const [path, module] of Object.entries(modules)) {
      expect({ path, languages: Object.keys(module.default).sort() }).toEqual({ path, languages: [...LOCALES].sort() })
    }
    expect(files.length).toBeGreaterThan(0)
  })

  test('every language has every English key, no extra key, and no empty or non-text message', () => {
    const problems: string[] = []
    for (const locale of LOCALES) {
      const translated = leaves(merged[locale as Locale])
      for (const key of reference.keys()) if (!translated.has(key)) problems.push(`${locale}: missing ${key}`)
      for (const [key, value] of translated) {
        if (!reference.has(key)) problems.push(`${locale}: ${key} is not in en`)
        if (typeof value !== 'string' || value.trim() === '') problems.push(`${locale}: ${key} is empty or not text`)
      }
    }
    expect(problems).toEqual([])
  })

  test('every message key the code uses exists', () => {
    const missing: string[] = []
    for (const file of sourceFiles(SRC)) {
      for (const key of usedKeys(readFileSync(file, 'utf8'), namespaces)) {
        if (!reference.has(key)) missing.push(`${relative(SRC, file)}: ${key}`)
      }
    }
    expect(missing).toEqual([])
  })

  test('the key scanner finds the forms pages use', () => {
    const source = `{{ $t('nav.users') }} t("login.title") te('errors.code.x') { titleKey: 'nav.logs' } from './nav.ts' t('typo.key') format('x.y')`
    expect(usedKeys(source, ['nav', 'login', 'errors']).sort()).toEqual(['errors.code.x', 'login.title', 'nav.logs', 'nav.users', 'typo.key'])
    expect(namespaceOf('./messages/not-found.ts')).toBe('notFound')
  })
})

/** The argument text of each `t('<key>', …)` call in a source, by key (parentheses matched, strings skipped). */
export function callArguments(source: string): Array<{ key: string; args: string[] }> {
  const calls: Array<{ key: string; args: string[] }> = []
  for (const match of source.matchAll(/(?<![\w$.])\$?t\(\s*(['"`])([A-Za-z][\w-]*(?:\.[\w-]+)+)\1/g)) {
    const args: string[] = []
    let depth = 0
    let current = ''
    let quote = ''
    for (let index = match.index + match[0].length; index < source.length; index += 1) {
      const char = source[index]!
      if (quote) {
        if (char === quote && source[index - 1] !== '\\') quote = ''
      } else if (char === "'" || char === '"' || char === '`') quote = char
      else if ('([{'.includes(char)) depth += 1
      else if (')]}'.includes(char)) {
        if (depth === 0) break
        depth -= 1
      } else if (char === ',' && depth === 0) {
        if (current.trim() !== '') args.push(current.trim())
        current = ''
        continue
      }
      current += char
    }
    if (current.trim() !== '') args.push(current.trim())
    calls.push({ key: match[2]!, args })
  }
  return calls
}

describe('plural forms (issue 18: "1 keys", "1 codes")', () => {
  const plural = [...reference].filter(([, value]) => typeof value === 'string' && value.includes(' | ')).map(([key]) => key)

  test('an English message counting things has a singular and a plural form', () => {
    const counting = [...reference].filter(([, value]) => typeof value === 'string' && /\{count\} (?:[a-z]+ )?[a-z]+s\b/.test(value))
    expect(counting.filter(([, value]) => !(value as string).includes(' | ')).map(([key]) => key)).toEqual([])
    expect(plural.length).toBeGreaterThan(10)
  })

  test('French has both forms wherever English has them', () => {
    const french = leaves(merged.fr)
    expect(plural.filter((key) => !String(french.get(key)).includes(' | '))).toEqual([])
  })

  test('every call of a plural message passes the count that picks the form', () => {
    const missing: string[] = []
    for (const file of sourceFiles(SRC)) {
      for (const call of callArguments(readFileSync(file, 'utf8'))) {
        if (plural.includes(call.key) && call.args.length < 2) missing.push(`${relative(SRC, file)}: ${call.key}`)
      }
    }
    expect(missing).toEqual([])
  })

  test('the forms read right in English and French, 0 and 1 included', () => {
    const i18n = createI18n({ legacy: false, locale: 'en', messages: merged as Record<string, Record<string, string>>, pluralRules })
    const { t } = i18n.global
    expect(t('redemptions.created', { count: 1 }, 1)).toBe('1 code created')
    expect(t('redemptions.created', { count: 3 }, 3)).toBe('3 codes created')
    expect(t('channels.form.keysCount', { count: 1 }, 1)).toBe('1 key')
    expect(t('tokens.modelCount', { count: 1 }, 1)).toBe('1 model')
    i18n.global.locale.value = 'fr'
    expect(t('channels.form.keysCount', { count: 0 }, 0)).toBe('0 clé')
    expect(t('channels.form.keysCount', { count: 1 }, 1)).toBe('1 clé')
    expect(t('channels.form.keysCount', { count: 2 }, 2)).toBe('2 clés')
  })

  test('the call scanner splits arguments at the top level only', () => {
    expect(callArguments(`t('a.b', { count: f(1, 2) }, n)`)).toEqual([{ key: 'a.b', args: ['{ count: f(1, 2) }', 'n'] }])
    expect(callArguments(`t('a.b', { count })`)).toEqual([{ key: 'a.b', args: ['{ count }'] }])
  })
})
