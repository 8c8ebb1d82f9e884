import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LOCALES, type Locale } from './locales.ts'
import { mergeMessageModules, namespaceOf } from './merge-messages.ts'

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
