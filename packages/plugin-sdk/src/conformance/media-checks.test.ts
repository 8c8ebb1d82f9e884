import { expect, test } from 'bun:test'
import { Type, type TSchema } from '@sinclair/typebox'
import type { DialectCodec, PluginDefinition } from '../contract.ts'
import type { MediaSpec } from '../media-contract.ts'
import type { GatewayError } from '../errors.ts'
import { mediaFailures } from './media-checks.ts'

// The kit's media checks: a sound media dialect passes; each broken promise is named. (The built-in OpenAI
// plugin's audio and image dialects are checked by its own conformance run, plugins/openai/openai-conformance.test.ts.)

const sound: MediaSpec = {
  request: 'multipart',
  files: [{ field: 'file', required: true, kind: 'audio' }],
  response: 'whole',
  readUsage: (_answer, _body, measured) =>
    measured.audioSeconds === undefined
      ? undefined
      : { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, quantities: { seconds: measured.audioSeconds } },
}

const codec = (media: MediaSpec, requestSchema: TSchema = Type.Object({ model: Type.String() })): DialectCodec => ({
  dialect: 'voice.transcribe',
  endpoint: 'audio',
  routes: [{ method: 'POST', path: '/v1/voice/transcribe' }],
  requestSchema,
  readKey: () => undefined,
  readModel: () => 'm',
  readStream: () => false,
  readMaxOutputTokens: () => 0,
  prepareUpstreamBody: (body) => ({ body }),
  estimatePrompt: () => ({ texts: [], fixedTokens: 0 }),
  readUsage: () => undefined,
  createStreamTap: () => ({ onEvent: () => true, result: () => ({ outputText: '', toolCalls: 0, completed: true }) }),
  readUpstreamError: () => ({ message: '' }),
  renderError: (error: GatewayError) => ({ status: error.status, body: {} }),
  renderStreamError: () => [],
  media,
})

const plugin = (dialect: DialectCodec, path = '/v1/voice/transcribe'): PluginDefinition => ({
  id: 'voice',
  specVersion: '1.2',
  name: 'Voice',
  channelTypes: [
    {
      id: 'voice',
      label: 'Voice',
      settings: Type.Object({}),
      transport: { nativeDialects: [dialect.dialect], buildRequest: () => ({ url: `https://upstream.example.test${path}`, method: 'POST', headers: {} }) },
    },
  ],
  models: [],
  pricing: {},
  dialects: [dialect],
})

test('a sound media dialect passes', () => {
  expect(mediaFailures(plugin(codec(sound)))).toEqual([])
})

test('each broken promise is named', () => {
  const broken = codec(
    {
      ...sound,
      files: [
        { field: 'file', required: true, kind: 'audio', maxCount: 0 },
        { field: 'file', required: false, kind: 'any' },
      ],
      readUsage: (answer) => JSON.parse(answer.text ?? ''),
    },
    Type.Object({ model: Type.String(), file: Type.String() }),
  )
  const failures = mediaFailures(plugin(broken)).join('\n')
  expect(failures).toContain('file field "file" declared twice')
  expect(failures).toContain('has maxCount 0')
  expect(failures).toContain('requestSchema requires the file field "file"')
  expect(failures).toContain('readUsage threw')
  expect(mediaFailures(plugin(codec({ ...sound, request: 'json' })))).toEqual(['media dialect "voice.transcribe": declares file fields on a JSON request'])
  expect(mediaFailures(plugin(codec({ ...sound, files: [] })))).toEqual(['media dialect "voice.transcribe": takes a multipart form but declares no file field'])
  const offHost = { ...plugin(codec(sound)) }
  offHost.channelTypes[0]!.transport.buildRequest = () => ({ url: 'https://elsewhere.test/x', method: 'POST', headers: {} })
  expect(mediaFailures(offHost).join('\n')).toContain("off the channel's host")
})
