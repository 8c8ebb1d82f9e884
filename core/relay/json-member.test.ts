import { describe, expect, test } from 'bun:test'
import { lastObjectMember, looksLikeJsonObject } from './json-member.ts'

describe('reading one JSON member without parsing the rest', () => {
  test('finds the usage object at the end, nested objects included', () => {
    const body = JSON.stringify({
      id: 'x',
      choices: [{ message: { content: 'the "usage": {"fake":1} word' } }],
      usage: { prompt_tokens: 3, completion_tokens_details: { reasoning_tokens: 2 } },
    })
    expect(lastObjectMember(body, 'usage')).toEqual({ prompt_tokens: 3, completion_tokens_details: { reasoning_tokens: 2 } })
  })

  test('braces and escaped quotes inside strings do not end the object early', () => {
    const body = '{"usage" : {"note":"a } and a \\" quote {","n":1}}'
    expect(lastObjectMember(body, 'usage')).toEqual({ note: 'a } and a " quote {', n: 1 })
  })

  test('absent, null, cut short or not an object gives undefined', () => {
    expect(lastObjectMember('{"id":1}', 'usage')).toBeUndefined()
    expect(lastObjectMember('{"usage":null}', 'usage')).toBeUndefined()
    expect(lastObjectMember('{"usage":{"prompt_tokens":3', 'usage')).toBeUndefined()
    expect(lastObjectMember('{"usage":[1]}', 'usage')).toBeUndefined()
  })

  test('an object looks like one; a cut or a scalar does not', () => {
    expect(looksLikeJsonObject(' {"a":1}\n')).toBe(true)
    expect(looksLikeJsonObject('{"a":1')).toBe(false)
    expect(looksLikeJsonObject('"x"')).toBe(false)
  })
})

describe('a member added in front of a JSON object, on bytes', () => {
  const bytes = (text: string) => new TextEncoder().encode(text)
  const text = (value: Uint8Array | undefined) => new TextDecoder().decode(value)

  test('without a member the bytes are the same; with one it comes first, before a comma', async () => {
    const { withFirstMember } = await import('./plan-dialogue.ts')
    const client = bytes(' {"model":"m","stream":true}')
    expect(withFirstMember(client, undefined)).toBe(client)
    expect(JSON.parse(text(withFirstMember(client, '"stream_options":{"include_usage":true}')))).toEqual({
      stream_options: { include_usage: true },
      model: 'm',
      stream: true,
    })
    expect(text(withFirstMember(bytes('{ }'), '"a":1'))).toBe('{"a":1 }')
  })
})
