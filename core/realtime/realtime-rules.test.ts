import { expect, test } from 'bun:test'
import { closeReason, insufficientQuotaEvent, isResponseCreate, neededForNextResponse, parseResponseDone, responseFloorUnits } from './realtime-rules.ts'

test('the floor is the minimum response tokens at the output price, at least one unit; the next response needs the last one cost', () => {
  expect(responseFloorUnits({ inputPerMTok: 4, outputPerMTok: 16 }, 1, 100)).toBe(800)
  expect(responseFloorUnits({ inputPerMTok: 4, outputPerMTok: 16 }, 0.5, 100)).toBe(400)
  expect(responseFloorUnits({ inputPerMTok: 4, outputPerMTok: 16 }, 1, 0)).toBe(1)
  expect(neededForNextResponse(17_008, 800)).toBe(17_008)
  expect(neededForNextResponse(0, 800)).toBe(800)
})

test('only response.create client events and response.done server events are read', () => {
  expect(isResponseCreate('{"type":"response.create","response":{}}')).toBe(true)
  expect(isResponseCreate('{"type":"conversation.item.create","item":{"content":[{"text":"response.create"}]}}')).toBe(false)
  expect(isResponseCreate('response.create')).toBe(false)
  expect(parseResponseDone('{"type":"response.done","response":{}}')).toEqual({ type: 'response.done', response: {} })
  expect(parseResponseDone('{"type":"response.created"}')).toBeUndefined()
  const transcribed = '{"type":"conversation.item.input_audio_transcription.completed","usage":{"type":"tokens"}}'
  expect(parseResponseDone(transcribed)).toBeUndefined()
  expect(parseResponseDone(transcribed, true)).toMatchObject({ type: 'conversation.item.input_audio_transcription.completed' })
})

test('the insufficient_quota event has OpenAI error event shape; close reasons fit a close frame', () => {
  expect(JSON.parse(insufficientQuotaEvent('event_1', 10, 800))).toMatchObject({
    type: 'error',
    event_id: 'event_1',
    error: { type: 'insufficient_quota', code: 'insufficient_quota' },
  })
  const long = closeReason('é'.repeat(100))
  expect(new TextEncoder().encode(long).length).toBeLessThanOrEqual(123)
  expect(closeReason('short')).toBe('short')
})
