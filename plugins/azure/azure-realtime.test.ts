import { expect, test } from 'bun:test'
import { buildAzureRealtimeSessionRequest, buildAzureRealtimeSocket } from './azure-realtime.ts'

const channel = {
  id: 2,
  type: 'azure',
  baseUrl: 'https://res.openai.azure.com/openai',
  key: 'azure-key',
  settings: { deployments: { 'gpt-realtime': 'rt-deploy' } },
  config: { azureDefaultApiVersion: '2025-04-01-preview' },
}

test('Azure realtime socket: wss resource URL, /openai/realtime with api-version and deployment, api-key header', () => {
  expect(buildAzureRealtimeSocket({ channel, model: 'gpt-realtime', clientHeaders: new Headers({ authorization: 'Bearer sk-client' }) })).toEqual({
    url: 'wss://res.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=rt-deploy',
    headers: { 'api-key': 'azure-key' },
  })
  const dotted = buildAzureRealtimeSocket({
    channel: { ...channel, settings: { apiVersion: '2024-10-01-preview' } },
    model: 'gpt-4o-realtime-preview.1',
    clientHeaders: new Headers(),
  })
  expect(dotted.url).toBe('wss://res.openai.azure.com/openai/realtime?api-version=2024-10-01-preview&deployment=gpt-4o-realtime-preview1')
})

test('Azure ephemeral sessions: realtimeapi/sessions with the deployment as model; client secrets on the v1 path', () => {
  const session = buildAzureRealtimeSessionRequest({
    channel,
    kind: 'sessions',
    model: 'gpt-realtime',
    body: { model: 'gpt-realtime', voice: 'alloy' },
    clientHeaders: new Headers(),
  })
  expect(session.url).toBe('https://res.openai.azure.com/openai/realtimeapi/sessions?api-version=2025-04-01-preview')
  expect(JSON.parse(String(session.body))).toEqual({ model: 'rt-deploy', voice: 'alloy' })
  const secret = buildAzureRealtimeSessionRequest({
    channel,
    kind: 'client_secrets',
    model: 'gpt-realtime',
    body: { session: { type: 'realtime', model: 'gpt-realtime' } },
    clientHeaders: new Headers(),
  })
  expect(secret.url).toBe('https://res.openai.azure.com/openai/v1/realtime/client_secrets')
  expect(JSON.parse(String(secret.body))).toEqual({ session: { type: 'realtime', model: 'rt-deploy' } })
  expect(secret.headers).toEqual({ 'content-type': 'application/json', 'api-key': 'azure-key' })
})
