import type { RelayDocumentedOperation } from '../relay/relay-openapi.ts'
import { REALTIME_PATH } from './realtime-route.ts'

// The realtime routes as the relay OpenAPI document lists them (/swagger/relay/json): the WebSocket upgrade at
// GET /v1/realtime, whose refusals are HTTP answers before any upgrade, and the three ephemeral-session routes.
// See docs/realtime.md for the session's events, billing and close codes.

const TAG = { name: 'realtime', description: 'Realtime sessions over WebSocket, and ephemeral keys for WebRTC clients (docs/realtime.md)' }

const JSON_OBJECT = { 'application/json': { schema: { type: 'object' } } }

const SESSION_ROUTES: ReadonlyArray<{ path: string; summary: string; model: string }> = [
  { path: '/v1/realtime/sessions', summary: 'Create an ephemeral realtime session key (beta)', model: '`model`' },
  {
    path: '/v1/realtime/transcription_sessions',
    summary: 'Create an ephemeral realtime transcription session key (beta)',
    model: '`model` or `input_audio_transcription.model`',
  },
  { path: '/v1/realtime/client_secrets', summary: 'Create an ephemeral realtime client secret (GA)', model: '`session.model`' },
]

/** The realtime operations of the relay document. */
export const REALTIME_DOCUMENT_OPERATIONS: readonly RelayDocumentedOperation[] = [
  {
    path: REALTIME_PATH,
    method: 'GET',
    tag: TAG,
    security: ['bearerKey', 'realtimeKeyProtocol'],
    errorDialect: 'openai.chat',
    errors: [400, 401, 403, 404, 429, 503],
    operation: {
      summary: 'Open a realtime session (WebSocket upgrade)',
      description:
        "A WebSocket (`Upgrade: websocket`) relayed to a channel serving the model; the client's and the upstream's events pass through unchanged both ways. " +
        'Authenticate with `Authorization: Bearer sk-…` or, from a browser, the subprotocol `openai-insecure-api-key.sk-…` (the server then answers the subprotocol `realtime`). ' +
        "Every refusal is an HTTP answer in OpenAI's error JSON before the upgrade: 400 no model, not a realtime model or not an upgrade request; 401 bad key; " +
        '403 model not allowed for the key or a balance below the floor of one response; 404 unknown model; 429 a rate limit (the handshake counts as one request) or ' +
        'REALTIME_MAX_SESSIONS_PER_USER sessions already open (across replicas with Redis). Each `response.done` is billed from its usage.',
      parameters: [
        {
          name: 'model',
          in: 'query',
          required: false,
          schema: { type: 'string' },
          description: 'The realtime model, e.g. `gpt-realtime`; required unless `intent=transcription`',
        },
        {
          name: 'intent',
          in: 'query',
          required: false,
          schema: { type: 'string', enum: ['transcription'] },
          description:
            'A transcription session: without `model` routed as `gpt-4o-transcribe`, billed from the token usage of `conversation.item.input_audio_transcription.completed`',
        },
        { name: 'upgrade', in: 'header', required: true, schema: { type: 'string', enum: ['websocket'] }, description: 'The WebSocket upgrade' },
        {
          name: 'openai-beta',
          in: 'header',
          required: false,
          schema: { type: 'string' },
          description: 'Passed to the upstream, e.g. `realtime=v1` (or the subprotocol `openai-beta.realtime-v1`)',
        },
      ],
      responses: {
        101: {
          description: 'Switching Protocols: the session is open; `x-realtime-session-id` names it in the usage logs',
          headers: {
            'x-realtime-session-id': { schema: { type: 'string' }, description: 'The session id found in its log rows' },
            'sec-websocket-protocol': { schema: { type: 'string' }, description: '`realtime`, when the client offered it' },
          },
        },
      },
    },
  },
  ...SESSION_ROUTES.map(
    (route): RelayDocumentedOperation => ({
      path: route.path,
      method: 'POST',
      tag: TAG,
      security: ['bearerKey'],
      errorDialect: 'openai.chat',
      errors: [400, 401, 403, 404, 503],
      operation: {
        summary: route.summary,
        description: `Relayed with the channel's key to a channel serving the model named by ${route.model}; the provider's answer (the ephemeral secret) is returned as it is. The session then runs between the client and the provider, so it is not metered (only a per-call price is charged).`,
        requestBody: { required: true, content: JSON_OBJECT },
        responses: { 200: { description: "The provider's answer", content: JSON_OBJECT } },
      },
    }),
  ),
]
