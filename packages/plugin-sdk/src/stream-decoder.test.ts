import { describe, expect, test } from 'bun:test'
import { emptyUsage, type HubEvent } from './hub.ts'
import { isMalformedStreamEvent, jsonPushDecoder, parseJsonChunk } from './stream-decoder.ts'

interface Chunk {
  text?: string
  last?: boolean
}

/** A decoder whose steps echo each chunk's text; it holds a usage event it gives at the end or before a failure. */
function echoDecoder() {
  const held: HubEvent[] = [{ type: 'usage', usage: { ...emptyUsage(), inputTokens: 1, outputTokens: 2 } }]
  return jsonPushDecoder<Chunk>({
    endMarker: '[DONE]',
    parse: (event) => parseJsonChunk(event.data, 'bad echo chunk'),
    isEnd: (chunk) => chunk.last === true,
    step: (chunk) => (chunk.text ? [{ type: 'text-delta', index: 0, text: chunk.text }] : []),
    finish: () => held,
    beforeMalformed: () => held,
  })
}

describe('jsonPushDecoder', () => {
  test('steps each chunk, ends at the end marker and then gives nothing, not even its finish', () => {
    const decoder = echoDecoder()
    expect(decoder.push({ data: '{"text":"a"}' })).toEqual([{ type: 'text-delta', index: 0, text: 'a' }])
    expect(decoder.done).toBe(false)
    expect(decoder.push({ data: '[DONE]' })).toEqual([])
    expect(decoder.done).toBe(true)
    expect(decoder.push({ data: '{"text":"late"}' })).toEqual([])
    expect(decoder.end()).toEqual([])
  })

  test('an end chunk is still stepped; a stream closed before it gets the finish once', () => {
    const ended = echoDecoder()
    expect(ended.push({ data: '{"text":"z","last":true}' })).toEqual([{ type: 'text-delta', index: 0, text: 'z' }])
    expect(ended.done).toBe(true)
    const cut = echoDecoder()
    expect(cut.end().map((event) => event.type)).toEqual(['usage'])
    expect(cut.end()).toEqual([])
  })

  test('a chunk that is not a JSON object ends the stream with the held events, then the malformed event with its message', () => {
    for (const data of ['{"cut":', '[1]', 'null']) {
      const decoder = echoDecoder()
      const events = decoder.push({ data })
      expect(events.map((event) => event.type)).toEqual(['usage', 'error'])
      expect(isMalformedStreamEvent(events[1] as HubEvent)).toBe(true)
      expect(events[1]).toMatchObject({ status: 502, message: 'bad echo chunk' })
      expect(decoder.done).toBe(true)
      expect(decoder.end()).toEqual([])
    }
  })
})
