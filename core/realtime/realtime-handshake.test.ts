import { expect, test } from 'bun:test'
import { answeredProtocol, readRealtimeKey, requestedBeta } from './realtime-handshake.ts'

test('the key comes from Authorization first, else the openai-insecure-api-key subprotocol', () => {
  expect(readRealtimeKey(new Headers({ authorization: 'Bearer sk-a' }))).toBe('sk-a')
  expect(readRealtimeKey(new Headers({ 'sec-websocket-protocol': 'realtime, openai-insecure-api-key.sk-b, openai-beta.realtime-v1' }))).toBe('sk-b')
  expect(readRealtimeKey(new Headers({ authorization: 'Bearer sk-a', 'sec-websocket-protocol': 'openai-insecure-api-key.sk-b' }))).toBe('sk-a')
  expect(readRealtimeKey(new Headers({ 'sec-websocket-protocol': 'realtime, openai-insecure-api-key.' }))).toBeUndefined()
  expect(readRealtimeKey(new Headers())).toBeUndefined()
})

test('the server answers `realtime` only when offered; the beta subprotocol becomes OpenAI-Beta', () => {
  expect(answeredProtocol(new Headers({ 'sec-websocket-protocol': 'openai-insecure-api-key.k, realtime' }))).toBe('realtime')
  expect(answeredProtocol(new Headers({ 'sec-websocket-protocol': 'openai-insecure-api-key.k' }))).toBeUndefined()
  expect(requestedBeta(new Headers({ 'sec-websocket-protocol': 'realtime, openai-beta.realtime-v1' }))).toBe('realtime=v1')
  expect(requestedBeta(new Headers({ 'openai-beta': 'realtime=v1' }))).toBe('realtime=v1')
  expect(requestedBeta(new Headers({ 'sec-websocket-protocol': 'realtime' }))).toBeUndefined()
})
