import {
  readSettings,
  type RealtimeConnectCall,
  type RealtimeSessionCall,
  type RealtimeTransport,
  type RealtimeUpstreamSocket,
  type UpstreamRequest,
} from '@hanggent/plugin-sdk'
import { readOpenAIRealtimeUsage, webSocketUrl } from '../openai/openai-realtime.ts'
import { AzureChannelSettings, azureApiVersion, azureResourceUrl, deploymentFor } from './azure-transport.ts'

// see https://learn.microsoft.com/azure/ai-foundry/openai/how-to/realtime-audio-websockets —
// `wss://<resource>.openai.azure.com/openai/realtime?api-version=…&deployment=…` with the `api-key` header;
// the events are OpenAI's, so usage is read as OpenAI's.

/** The Azure realtime socket of a channel: its resource, API version and the model's deployment. */
export function buildAzureRealtimeSocket(call: RealtimeConnectCall): RealtimeUpstreamSocket {
  const { channel } = call
  const apiVersion = azureApiVersion(channel.settings, channel.config.azureDefaultApiVersion)
  const deployment = deploymentFor(call.model, readSettings(AzureChannelSettings, channel.settings).deployments)
  const query = `api-version=${encodeURIComponent(apiVersion)}&deployment=${encodeURIComponent(deployment)}`
  return { url: `${webSocketUrl(azureResourceUrl(channel.baseUrl))}/openai/realtime?${query}`, headers: { 'api-key': channel.key } }
}

// see https://learn.microsoft.com/azure/ai-foundry/openai/how-to/realtime-audio-webrtc — ephemeral sessions at
// `/openai/realtimeapi/sessions?api-version=…` with the deployment as `model`; GA client secrets at
// `/openai/v1/realtime/client_secrets`.

/** The request creating an ephemeral session or client secret on an Azure resource; the deployment replaces the model. */
export function buildAzureRealtimeSessionRequest(call: RealtimeSessionCall): UpstreamRequest {
  const { channel } = call
  const base = azureResourceUrl(channel.baseUrl)
  const headers = { 'content-type': 'application/json', 'api-key': channel.key }
  const deployment = call.model === undefined ? undefined : deploymentFor(call.model, readSettings(AzureChannelSettings, channel.settings).deployments)
  if (call.kind === 'client_secrets') {
    const session = call.body.session
    const body =
      deployment !== undefined && typeof session === 'object' && session !== null ? { ...call.body, session: { ...session, model: deployment } } : call.body
    return { url: `${base}/openai/v1/realtime/client_secrets`, method: 'POST', headers, body: JSON.stringify(body) }
  }
  const apiVersion = azureApiVersion(channel.settings, channel.config.azureDefaultApiVersion)
  const path = call.kind === 'sessions' ? 'sessions' : 'transcription_sessions'
  const body = deployment === undefined ? call.body : { ...call.body, model: deployment }
  return { url: `${base}/openai/realtimeapi/${path}?api-version=${encodeURIComponent(apiVersion)}`, method: 'POST', headers, body: JSON.stringify(body) }
}

/** Realtime sessions on Azure OpenAI deployments. */
export const azureRealtimeTransport: RealtimeTransport = {
  connect: buildAzureRealtimeSocket,
  readUsage: readOpenAIRealtimeUsage,
  sessionRequest: buildAzureRealtimeSessionRequest,
}
