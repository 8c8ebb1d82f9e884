import { describe, expect, test } from 'bun:test'
import { finiteNumber, isRecord, omitUndefined, parseJsonObject, positiveInteger, recordMember } from './values.ts'

describe('isRecord', () => {
  test('plain objects only', () => {
    expect(isRecord({ a: 1 })).toBe(true)
    expect(isRecord({})).toBe(true)
    for (const value of [null, undefined, [], [1], 'x', 3, true]) expect(isRecord(value)).toBe(false)
  })
})

describe('parseJsonObject', () => {
  test('one JSON object', () => {
    expect(parseJsonObject('{"id":"a","n":[1]}')).toEqual({ id: 'a', n: [1] })
  })
  test('undefined for arrays, scalars, null and text that is not JSON, so callers can report it', () => {
    for (const text of ['[1,2]', '3', '"x"', 'null', '{"cut":', '', 'data: {}']) expect(parseJsonObject(text)).toBeUndefined()
  })
})

describe('recordMember', () => {
  test('the member when both are objects', () => {
    expect(recordMember({ usage: { input: 3 } }, 'usage')).toEqual({ input: 3 })
  })
  test('undefined when the value or the member is not an object', () => {
    expect(recordMember({ usage: null }, 'usage')).toBeUndefined()
    expect(recordMember({ usage: [1] }, 'usage')).toBeUndefined()
    expect(recordMember({ usage: 4 }, 'usage')).toBeUndefined()
    expect(recordMember({}, 'usage')).toBeUndefined()
    expect(recordMember('usage', 'usage')).toBeUndefined()
    expect(recordMember(null, 'usage')).toBeUndefined()
  })
})

describe('numbers', () => {
  test('finiteNumber keeps finite numbers, zero and negatives included', () => {
    expect(finiteNumber(0)).toBe(0)
    expect(finiteNumber(-1.5)).toBe(-1.5)
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, '3', null, undefined]) expect(finiteNumber(value)).toBeUndefined()
  })
  test('positiveInteger keeps whole numbers above zero', () => {
    expect(positiveInteger(1)).toBe(1)
    expect(positiveInteger(4096)).toBe(4096)
    for (const value of [0, -3, 1.5, Number.NaN, '10', null, undefined]) expect(positiveInteger(value)).toBeUndefined()
  })
})

describe('omitUndefined', () => {
  test('drops undefined fields and keeps null, false, zero and empty strings', () => {
    const body: Record<string, unknown> = omitUndefined({ model: 'm', temperature: undefined, stop: null, stream: false, n: 0, user: '' })
    expect(body).toEqual({ model: 'm', stop: null, stream: false, n: 0, user: '' })
    expect(Object.keys(body)).not.toContain('temperature')
  })
  test('returns a copy', () => {
    const original = { a: 1, b: undefined }
    omitUndefined(original)
    expect(Object.keys(original)).toEqual(['a', 'b'])
  })
})
