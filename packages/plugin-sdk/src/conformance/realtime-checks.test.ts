import { expect, test } from 'bun:test'
import { Type } from '@sinclair/typebox'
import type { ChannelTypeSpec, PluginDefinition } from '../contract.ts'
import type { RealtimeTransport } from '../realtime-contract.ts'
import { realtimeFailures } from './realtime-checks.ts'

// The kit's realtime checks: a sound transport passes; each broken promise is named.

const sound: RealtimeTransport = {
  connect: ({ channel, model }) => ({
    url: `${channel.baseUrl.replace('https', 'wss')}/v1/realtime?model=${model}`,
    headers: { authorization: `Bearer ${channel.key}` },
  }),
  readUsage: (event) =>
    typeof event === 'object' && event !== null && (event as { type?: unknown }).type === 'response.done' && 'response' in event
      ? { usage: { inputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 1, reasoningTokens: 0 } }
      : undefined,
}

const plugin = (realtime: RealtimeTransport): PluginDefinition => {
  const channelType: ChannelTypeSpec = {
    id: 'voice',
    label: 'Voice',
    settings: Type.Object({}),
    transport: { nativeDialects: [], buildRequest: () => ({ url: 'https://x', method: 'POST', headers: {} }) },
    realtime,
  }
  return { id: 'voice', specVersion: '1.2', name: 'Voice', channelTypes: [channelType], models: [], pricing: {}, dialects: [] }
}

test('a sound realtime transport passes', () => {
  expect(realtimeFailures(plugin(sound))).toEqual([])
})

test('each broken promise is named: scheme, host, client key forwarded, no channel key, usage read from the wrong event, a throw', () => {
  const broken: RealtimeTransport = {
    connect: ({ clientHeaders }) => ({ url: 'https://elsewhere.test/realtime', headers: { authorization: clientHeaders.get('authorization') ?? '' } }),
    readUsage: (event) => {
      if (event === null) throw new Error('boom')
      return { usage: { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 } }
    },
  }
  const failures = realtimeFailures(plugin(broken))
  expect(failures).toContain('channel type "voice" realtime: connect URL "https://elsewhere.test/realtime" should use ws: or wss:')
  expect(failures).toContain('channel type "voice" realtime: connect URL "https://elsewhere.test/realtime" leaves the channel\'s base URL host')
  expect(failures).toContain('channel type "voice" realtime: connect forwards the client\'s key')
  expect(failures).toContain('channel type "voice" realtime: connect sends no header with the channel\'s key')
  expect(failures).toContain(
    'channel type "voice" realtime: readUsage read usage from {"type":"response.created","response":{"id":"resp_1","usage":null}}, which ends no response',
  )
  expect(failures).toContain('channel type "voice" realtime: readUsage threw on null: Error: boom')
})
