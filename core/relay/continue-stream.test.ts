import { describe, expect, test } from 'bun:test'
import { emptyUsage, type HubChatRequest, type HubEvent } from '@hanggent/plugin-sdk'
import { adjustedEvents, markedPrefill, mergedResult, movedUsage, prefilledRequest, withoutEcho } from './continue-stream.ts'

// The pure parts of a stream's continuation: the prefilled request, the continuation's events as the rest of the
// client's answer, and the usage the client pays (see continue-stream.ts).

const request: HubChatRequest = {
  model: 'claude-sonnet-4-5',
  stream: true,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Greet the world.' }] }],
  reasoning: { effort: 'high' },
  extra: { thinking: { type: 'enabled', budget_tokens: 2048 }, metadata: { user_id: 'u1' } },
}

async function collect(events: AsyncIterable<HubEvent>): Promise<HubEvent[]> {
  const out: HubEvent[] = []
  for await (const event of events) out.push(event)
  return out
}

async function* from(events: HubEvent[]): AsyncGenerator<HubEvent> {
  yield* events
}

describe('the continuation request', () => {
  test('the delivered text is the final assistant turn, its trailing whitespace removed; thinking off, other extras kept', () => {
    const prefilled = prefilledRequest(request, 'Hello, ')
    expect(prefilled.messages.at(-1)).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'Hello,' }] })
    expect(prefilled.messages).toHaveLength(2)
    expect(prefilled.reasoning).toBeUndefined()
    expect(prefilled.extra).toEqual({ metadata: { user_id: 'u1' } })
  })

  test('nothing but whitespace delivered: no assistant turn (the answer starts anew)', () => {
    expect(prefilledRequest(request, ' \n').messages).toEqual(request.messages)
    expect(prefilledRequest(request, '').messages).toEqual(request.messages)
  })
})

describe("the continuation's events", () => {
  const usage = { ...emptyUsage(), inputTokens: 30, cacheReadTokens: 100, outputTokens: 8 }
  const continuation: HubEvent[] = [
    { type: 'message-start', id: 'msg_backup', model: 'claude-sonnet-4-5', created: 1 },
    { type: 'text-delta', index: 0, text: '  ' },
    { type: 'text-delta', index: 0, text: ' world' },
    { type: 'text-delta', index: 0, text: ' again' },
    { type: 'usage', usage },
    { type: 'finish', index: 0, reason: 'stop' },
  ]

  test('no second message-start; the first text loses its leading whitespace after a delivered text that ended in some', async () => {
    const events = await collect(adjustedEvents(from(continuation), 3, true))
    expect(events.map((event) => event.type)).toEqual(['text-delta', 'text-delta', 'usage', 'finish'])
    expect(events.filter((event) => event.type === 'text-delta').map((event) => event.text)).toEqual(['world', ' again'])
  })

  test('kept as written after a delivered text that ended in a word', async () => {
    const events = await collect(adjustedEvents(from(continuation), 3, false))
    expect(events.filter((event) => event.type === 'text-delta').map((event) => event.text)).toEqual(['  ', ' world', ' again'])
  })

  test('usage: the delivered tokens move from input (the prefill) to output, cache as reported, input never below 0', async () => {
    const events = await collect(adjustedEvents(from(continuation), 3, false))
    expect(events.find((event) => event.type === 'usage')).toEqual({ type: 'usage', usage: { ...usage, inputTokens: 27, outputTokens: 11 } })
    expect(movedUsage(usage, 50)).toMatchObject({ inputTokens: 0, cacheReadTokens: 100, outputTokens: 58 })
  })
})

describe('the merged result', () => {
  const usage = { ...emptyUsage(), inputTokens: 27, outputTokens: 11 }
  test('a finished continuation with usage: that usage, the whole text', () => {
    expect(mergedResult('Hello,', { usage, outputText: ' world', toolCalls: 0, completed: true })).toEqual({
      usage,
      outputText: 'Hello, world',
      toolCalls: 0,
      completed: true,
    })
  })

  test('a continuation cut again, or without usage: both parts counted', () => {
    expect(mergedResult('Hello,', { usage, outputText: ' wor', toolCalls: 0, completed: false })).toMatchObject({ usage: undefined, outputText: 'Hello, wor' })
    expect(mergedResult('Hello,', { usage: undefined, outputText: ' world', toolCalls: 0, completed: true })).toMatchObject({
      usage: undefined,
      outputText: 'Hello, world',
    })
  })
})

describe("a vendor's prefix contract", () => {
  const body = {
    model: 'deepseek-chat',
    stream: true,
    messages: [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello,' },
    ],
  }

  test('the final assistant message and the body get the marker members, the URL comes along', () => {
    expect(markedPrefill(body, { messageMembers: { prefix: true }, url: 'https://api.deepseek.com/beta/chat/completions' })).toEqual({
      body: {
        ...body,
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello,', prefix: true },
        ],
      },
      url: 'https://api.deepseek.com/beta/chat/completions',
    })
    expect(markedPrefill(body, { bodyMembers: { continue_final_message: true, add_generation_prompt: false } }).body).toMatchObject({
      continue_final_message: true,
      add_generation_prompt: false,
      messages: body.messages,
    })
  })

  test("nothing to continue (the last message is not the assistant's): sent as it is", () => {
    const fresh = { ...body, messages: [{ role: 'user', content: 'Hi' }] }
    expect(markedPrefill(fresh, { messageMembers: { partial: true }, bodyMembers: { continue_final_message: true }, url: 'https://x.example/beta' })).toEqual({
      body: fresh,
    })
  })

  test('an echoed prefill is dropped once, across deltas; an answer that does not repeat it is kept whole', async () => {
    const start: HubEvent = { type: 'message-start', id: 'x', model: 'm', created: 1 }
    const finish: HubEvent = { type: 'finish', index: 0, reason: 'stop' }
    const text = (value: string): HubEvent => ({ type: 'text-delta', index: 0, text: value })
    const echoed = await collect(withoutEcho(from([start, text('Hel'), text('lo, wor'), text('ld'), finish]), 'Hello,'))
    expect(echoed).toEqual([start, text(' wor'), text('ld'), finish])
    const plain = await collect(withoutEcho(from([start, text(' wor'), text('ld and more'), finish]), 'Hello,'))
    expect(plain).toEqual([start, text(' world and more'), finish])
    expect(await collect(withoutEcho(from([text('Hel'), finish]), 'Hello,'))).toEqual([text('Hel'), finish])
  })
})
