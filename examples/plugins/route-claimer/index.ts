import { Type } from '@sinclair/typebox'
// From the SDK package: the contract the gateway checks this manifest against, and the toolkit's key reader.
import { readBearerToken, type DialectCodec, type PluginDefinition } from '@hanggent/plugin-sdk'

// A plugin that wants to answer `POST /v1/chat/completions` itself (say, a house chat format behind
// OpenAI's path). The built-in OpenAI plugin serves that route too, so loading this plugin alone stops
// the gateway at start-up naming both; the operator picks one with
// PLUGIN_ROUTE_OWNERS="POST /v1/chat/completions=route-claimer" (or `=openai` to keep the built-in).
// Its errors come in its own shape, `{claimer_error: {status, message}}`, so a client can tell who answered.

/** The house chat dialect on OpenAI's path: a body of `{model, prompt}`, answered unchanged by a channel that speaks it. */
const claimerChat: DialectCodec = {
  dialect: 'claimer.chat',
  endpoint: 'chat',
  routes: [{ method: 'POST', path: '/v1/chat/completions' }],
  requestSchema: Type.Object({ model: Type.String(), prompt: Type.String() }),
  readKey: (request) => readBearerToken(request.headers),
  readModel: (body) => String(body.model),
  readStream: () => false,
  readMaxOutputTokens: () => undefined,
  prepareUpstreamBody: (body, model) => ({ body: { ...body, model } }),
  estimatePrompt: (body) => ({ texts: [String(body.prompt ?? '')], fixedTokens: 0 }),
  readUsage: () => undefined,
  createStreamTap: () => ({ onEvent: () => true, result: () => ({ outputText: '', toolCalls: 0, completed: true }) }),
  readUpstreamError: (_status, bodyText) => ({ message: bodyText.slice(0, 200) }),
  renderError: (error) => ({ status: error.status, body: { claimer_error: { status: error.status, message: error.message } } }),
  renderStreamError: (error) => [{ data: JSON.stringify({ claimer_error: { status: error.status, message: error.message } }) }],
}

const plugin: PluginDefinition = {
  id: 'route-claimer',
  specVersion: 1,
  name: 'Route claimer (example)',
  channelTypes: [],
  models: [],
  pricing: {},
  dialects: [claimerChat],
}

export default plugin
