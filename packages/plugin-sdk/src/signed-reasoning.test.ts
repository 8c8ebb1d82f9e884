import { describe, expect, test } from 'bun:test'
import type { HubMessage } from './hub.ts'
import { signatureForClient, signatureFromClient, withoutForeignSignedReasoning } from './signed-reasoning.ts'

describe('withoutForeignSignedReasoning', () => {
  const turn = (content: HubMessage['content']): HubMessage[] => [
    { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
    { role: 'assistant', content },
  ]

  test("keeps the target's own signed reasoning and unsigned reasoning; drops another provider's and unknown origins, one warning per turn", () => {
    const messages = turn([
      { type: 'reasoning', text: 'mine', signature: 's1', signatureOrigin: 'google' },
      { type: 'reasoning', text: 'theirs', signature: 's2', signatureOrigin: 'anthropic' },
      { type: 'reasoning', text: 'unknown', signature: 's3' },
      { type: 'reasoning', text: 'unsigned' },
      { type: 'reasoning', text: 'empty signature', signature: '' },
      { type: 'text', text: 'Hello.' },
    ])
    const { messages: kept, warnings } = withoutForeignSignedReasoning(messages, 'google')
    expect(kept[1]!.content.map((part) => (part.type === 'reasoning' || part.type === 'text' ? part.text : part.type))).toEqual([
      'mine',
      'unsigned',
      'empty signature',
      'Hello.',
    ])
    expect(warnings).toEqual([
      'messages[1]: reasoning signed by anthropic, an unknown provider cannot be verified by google and was dropped (text and signature)',
    ])
  })

  test('returns the same array when nothing is foreign', () => {
    const messages = turn([{ type: 'reasoning', text: 'mine', signature: 's1', signatureOrigin: 'openai' }])
    expect(withoutForeignSignedReasoning(messages, 'openai').messages).toBe(messages)
  })
})

describe('signature envelope', () => {
  test('a foreign signature is wrapped for the client and unwrapped with its origin when it comes back', () => {
    const wrapped = signatureForClient('rs_1:gAAAA-_=', 'openai', 'anthropic')
    expect(wrapped).toBe('gw1~openai~rs_1:gAAAA-_=')
    expect(signatureFromClient(wrapped, 'anthropic')).toEqual({ signature: 'rs_1:gAAAA-_=', signatureOrigin: 'openai' })
  })

  test("the client's own provider's signature, or one of unknown origin, reaches it unchanged and reads back as the client's", () => {
    expect(signatureForClient('EqQB+/=', 'anthropic', 'anthropic')).toBe('EqQB+/=')
    expect(signatureForClient('EqQB+/=', undefined, 'google')).toBe('EqQB+/=')
    expect(signatureFromClient('EqQB+/=', 'google')).toEqual({ signature: 'EqQB+/=', signatureOrigin: 'google' })
  })

  test('an already wrapped signature is not wrapped twice', () => {
    expect(signatureForClient('gw1~google~CiQB', 'google', 'anthropic')).toBe('gw1~google~CiQB')
  })
})
