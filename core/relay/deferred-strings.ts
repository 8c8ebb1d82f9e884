import { isUtf8 } from 'node:buffer'
import type { TSchema } from '@sinclair/typebox'
import type { PromptEstimateInput } from '@hanggent/plugin-sdk'
import { randomKey } from '../security/crypto.ts'

// A ~100 KB prompt is one long JSON string. Decoding the whole body into a JavaScript string and parsing it
// made two copies of that text in UTF-16 (the decoded body, then the parsed value) on every call, and their
// garbage collection cost more than everything else the gateway does per call. A passthrough call never
// needs the text: the client's bytes go upstream as they came, and admission bounds the prompt by its byte
// count. So the body is parsed with each long string value left in the request bytes (checked to be a valid
// JSON string, replaced by a placeholder while the body is validated and its prompt estimated) and read into
// a string only when something reads that member: a conversion, a mapped model's re-serialised body, an exact
// token count. Whatever reads the body sees the same values a full parse would give.

/** String values shorter than this (in bytes, quotes excluded) are parsed as usual. */
export const DEFERRED_STRING_MIN_BYTES = 8 * 1024

const BACKSLASH = 92
/** Strings scanned before giving up on a body in which none was long enough to defer. */
const SCAN_BUDGET_STRINGS = 256
const COLON = 58

/** A raw control character, which JSON strings may not hold. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this check finds
const CONTROL_CHARACTER = /[\x00-\x1f]/
/** 1 for the characters that may follow a backslash in a JSON string, other than `u` (a table: this runs per escape). */
const SIMPLE_ESCAPES = new Uint8Array(128)
for (const character of '"\\/bfnrt') SIMPLE_ESCAPES[character.charCodeAt(0)] = 1
/**
 * A string with more escapes than one per this many characters is parsed as usual: checking each escape costs
 * more than the parse saves (text sent with every character escaped, e.g. `\u4e2d`, is short once parsed anyway).
 */
const CHARACTERS_PER_ESCAPE = 8

/** Names placeholders of this process; random so that no client text can pass for one. */
const NONCE = `deferred-${randomKey(12)}:`
/** Starts each placeholder (a JSON-stringified text holding one shows the NUL as `\u0000`, hence NONCE for containment). */
const MARK = `\u0000${NONCE}`

const firstDecoder = new TextDecoder()
/** Later pieces of a body are decoded without dropping a byte order mark (only the body's start may have one). */
const pieceDecoder = new TextDecoder('utf-8', { ignoreBOM: true })

/** Where a long string literal lies in the body, quotes included. */
interface Literal {
  start: number
  end: number
}

/** The long string values of a parsed body, still in the request's bytes. */
export interface DeferredStrings {
  /** Upper bound on the UTF-8 bytes of `text` (a placeholder's value is never longer than its literal), without reading it. */
  byteBound(text: string): number | undefined
  /** Puts each value in place of its placeholder, read from the bytes when first read. Call once validation and estimation are done. */
  reveal(): void
  /** The values of the placeholders in `texts`, read now. */
  resolve(texts: string[]): string[]
}

/** A parsed JSON body and its deferred strings (undefined when it has none). */
export interface ParsedBody {
  body: unknown
  deferred?: DeferredStrings
}

/**
 * Finds the string literals of at least `minBytes` bytes that are member values (never keys), each checked to be
 * a valid JSON string in valid UTF-8; undefined when the bytes cannot be scanned as JSON (the full parse says why).
 */
export function longStringLiterals(bytes: Uint8Array, minBytes = DEFERRED_STRING_MIN_BYTES): Literal[] | undefined {
  // Each byte as one character, so that indexes are byte offsets and the search is the engine's own: the scan reads
  // only ASCII (quotes, backslashes, colons, blanks), and bytes over 0x7f are never part of one.
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  const found: Literal[] = []
  let start = raw.indexOf('"')
  for (let strings = 1; start !== -1; strings++) {
    // A body of many short strings (a long conversation) has nothing to defer: give up before the scan costs much.
    if (strings > SCAN_BUDGET_STRINGS && found.length === 0) return found
    let end = start
    do end = raw.indexOf('"', end + 1)
    while (end !== -1 && escaped(raw, end))
    if (end === -1) return undefined
    if (end - start - 1 >= minBytes && !isKey(raw, end) && validString(bytes, raw, start, end)) found.push({ start, end })
    start = raw.indexOf('"', end + 1)
  }
  return found
}

/** True when the quote at `index` is escaped (an odd run of backslashes before it). */
function escaped(raw: string, index: number): boolean {
  let run = 0
  for (let at = index - 1; raw.charCodeAt(at) === BACKSLASH; at--) run++
  return run % 2 === 1
}

/** True when the literal ending at `end` is followed by a colon: a member name. */
function isKey(raw: string, end: number): boolean {
  let next = end + 1
  while (next < raw.length && raw.charCodeAt(next) <= 32) next++
  return raw.charCodeAt(next) === COLON
}

/** True when the literal's content is valid UTF-8 with no raw control character and only JSON's escapes (and few of them). */
function validString(bytes: Uint8Array, raw: string, start: number, end: number): boolean {
  if (!isUtf8(bytes.subarray(start + 1, end))) return false
  const text = raw.slice(start + 1, end)
  return !CONTROL_CHARACTER.test(text) && validEscapes(text)
}

/** True when every backslash in `text` starts one of JSON's escapes, and there are few of them (CHARACTERS_PER_ESCAPE). */
export function validEscapes(text: string): boolean {
  let budget = Math.max(16, text.length / CHARACTERS_PER_ESCAPE)
  // An escape's second character is skipped, so an escaped backslash never starts another escape.
  for (let at = text.indexOf('\\'); at !== -1; at = text.indexOf('\\', at + 2)) {
    if (--budget < 0) return false
    const next = text.charCodeAt(at + 1)
    if (next === U) {
      for (let digit = at + 2; digit < at + 6; digit++) if (!isHexDigit(text.charCodeAt(digit))) return false
      at += 4
    } else if (SIMPLE_ESCAPES[next] !== 1) return false
  }
  return true
}

const U = 117

/** True for the character codes of 0-9, a-f and A-F. */
function isHexDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 102) || (code >= 65 && code <= 70)
}

/**
 * Parses a JSON body, leaving its long string values (DEFERRED_STRING_MIN_BYTES) in `bytes` behind placeholders
 * until reveal(). `bytes` must not change afterwards. Throws as JSON.parse does for a body that is not JSON.
 */
export function parseDeferred(bytes: Uint8Array): ParsedBody {
  const literals = bytes.byteLength >= DEFERRED_STRING_MIN_BYTES ? longStringLiterals(bytes) : undefined
  if (!literals || literals.length === 0) return { body: JSON.parse(firstDecoder.decode(bytes)) }
  let text = firstDecoder.decode(bytes.subarray(0, literals[0]!.start))
  literals.forEach((literal, index) => {
    const next = literals[index + 1]?.start ?? bytes.byteLength
    text += `${JSON.stringify(MARK + index)}${pieceDecoder.decode(bytes.subarray(literal.end + 1, next))}`
  })
  const body: unknown = JSON.parse(text)
  return { body, deferred: deferredStrings(bytes, literals, body) }
}

/** Where a placeholder sits: the object or array holding it and the member name or index. */
interface Slot {
  holder: Record<string, unknown> | unknown[]
  key: string | number
}

/** The index of the placeholder `value` is, or -1. */
function placeholderIndex(value: unknown): number {
  return typeof value === 'string' && value.startsWith(MARK) ? Number(value.slice(MARK.length)) : -1
}

/**
 * Finds the slot of every placeholder in `root`, breadth first so that a prompt near the top is found before a long
 * tool list is walked (a duplicate member's earlier value is gone and has none).
 */
function slotsOf(root: unknown, count: number): Map<number, Slot> {
  const slots = new Map<number, Slot>()
  const queue: unknown[] = [root]
  for (let next = 0; next < queue.length && slots.size < count; next++) {
    const holder = queue[next]
    if (typeof holder !== 'object' || holder === null) continue
    for (const key of Array.isArray(holder) ? holder.keys() : Object.keys(holder)) {
      const value = (holder as Record<string | number, unknown>)[key]
      const index = placeholderIndex(value)
      if (index >= 0) slots.set(index, { holder: holder as Slot['holder'], key })
      else if (typeof value === 'object' && value !== null) queue.push(value)
    }
  }
  return slots
}

function deferredStrings(bytes: Uint8Array, literals: Literal[], body: unknown): DeferredStrings {
  const values = new Map<number, string>()
  const read = (index: number): string => {
    let value = values.get(index)
    if (value === undefined) {
      const { start, end } = literals[index]!
      value = JSON.parse(pieceDecoder.decode(bytes.subarray(start, end + 1))) as string
      values.set(index, value)
    }
    return value
  }
  let revealed = false
  return {
    byteBound(text) {
      const index = placeholderIndex(text)
      if (index >= 0) return literals[index]!.end - literals[index]!.start - 1
      return text.includes(NONCE) ? undefined : Buffer.byteLength(text, 'utf8')
    },
    resolve(texts) {
      return texts.map((text) => {
        const index = placeholderIndex(text)
        return index >= 0 ? read(index) : text
      })
    },
    reveal() {
      if (revealed) return
      revealed = true
      for (const [index, { holder, key }] of slotsOf(body, literals.length)) {
        const settle = (value: unknown) => Object.defineProperty(holder, key, { value, writable: true, enumerable: true, configurable: true })
        Object.defineProperty(holder, key, {
          enumerable: true,
          configurable: true,
          get() {
            const value = read(index)
            settle(value)
            return value
          },
          set: settle,
        })
      }
    },
  }
}

/**
 * The prompt estimate of a body parsed with deferred strings, with the UTF-8 byte bound of its texts; its texts
 * are read from the bytes only when asked for. Undefined when a text holds a placeholder inside other text
 * (a stringified tool list): the caller then reveals the body and estimates again.
 */
export function deferredPrompt(estimate: PromptEstimateInput, deferred: DeferredStrings): { prompt: PromptEstimateInput; byteBound: number } | undefined {
  let byteBound = 0
  for (const text of estimate.texts) {
    const bound = deferred.byteBound(text)
    if (bound === undefined) return undefined
    byteBound += bound
  }
  let texts: string[] | undefined
  const prompt: PromptEstimateInput = {
    ...estimate,
    get texts() {
      texts ??= deferred.resolve(estimate.texts)
      return texts
    },
  }
  return { prompt, byteBound }
}

const safeSchemas = new WeakMap<TSchema, boolean>()

/** Keywords that let a schema accept or refuse a string by its content other than its type (minLength 1 and enums are kept). */
function constrainsStringContent(schema: Record<string, unknown>): boolean {
  if (schema.type !== 'string') return false
  return schema.pattern !== undefined || schema.format !== undefined || schema.maxLength !== undefined || Number(schema.minLength ?? 0) > 1
}

/**
 * True when validating a body with a placeholder in place of a long string gives the same answer as with the
 * string: no string in the schema is checked for its pattern, format or length beyond being non-empty (a
 * placeholder is a non-empty string unequal to any constant). References are not followed, so a schema with one is not safe.
 */
export function deferrableSchema(schema: TSchema): boolean {
  let safe = safeSchemas.get(schema)
  if (safe === undefined) {
    safe = !someNode(schema, (node) => constrainsStringContent(node) || node.$ref !== undefined)
    safeSchemas.set(schema, safe)
  }
  return safe
}

/** True when `test` holds for any schema node under `node`. */
function someNode(node: unknown, test: (node: Record<string, unknown>) => boolean): boolean {
  if (typeof node !== 'object' || node === null) return false
  if (Array.isArray(node)) return node.some((item) => someNode(item, test))
  const record = node as Record<string, unknown>
  if (test(record)) return true
  return Object.values(record).some((value) => someNode(value, test))
}
