import type { ClientDialect, EndpointKind, ModelCapability } from '@hanggent/plugin-sdk'
import type { PluginRegistry } from '../plugin/registry.ts'
import { GatewayError } from '../errors.ts'
import { parseReasoningSuffix } from './reasoning-suffix.ts'

// A model the plugins know (ModelSpec.capabilities) is only sent to endpoints it can serve: a chat call
// to a rerank-only model is refused before routing and billing, as OpenAI refuses a chat call to a
// model that is not a chat model (HTTP 404, invalid_request_error, param `model`). Unknown models have
// no capability data and pass, so the upstream decides as before.

/** The capability a model must list to serve each endpoint kind; kinds not named here are not checked. */
const NEEDED: Partial<Record<EndpointKind, ModelCapability>> = {
  chat: 'chat',
  responses: 'chat',
  completions: 'completions',
  embeddings: 'embeddings',
  rerank: 'rerank',
  image: 'image',
  audio: 'audio',
}

/** Endpoint kinds as a person names them, for error messages. */
const ENDPOINT_NAMES: Record<EndpointKind, string> = {
  chat: 'chat',
  completions: 'text completions',
  embeddings: 'embeddings',
  responses: 'responses',
  rerank: 'rerank',
  image: 'image generation',
  audio: 'audio',
  task: 'tasks',
}

/** What the plugins say a model can do: its own entry, else the entry of the base of a reasoning suffix (`o3-high`); undefined when unknown. */
export function knownCapabilities(registry: PluginRegistry, model: string): readonly ModelCapability[] | undefined {
  const own = registry.model(model)
  if (own) return own.capabilities
  const base = parseReasoningSuffix(model)?.model
  return base === undefined ? undefined : registry.model(base)?.capabilities
}

/**
 * True when the model can serve the endpoint kind: it lists the capability, or it can chat and the
 * endpoint is legacy completions (converted to chat through the hub, see knownToLackEndpoint). Models
 * the plugins do not know always can: there is nothing to refuse them on.
 */
export function modelServesEndpoint(registry: PluginRegistry, model: string, endpoint: EndpointKind): boolean {
  const needed = NEEDED[endpoint]
  const capabilities = needed === undefined ? undefined : knownCapabilities(registry, model)
  if (needed === undefined || capabilities === undefined) return true
  return capabilities.includes(needed) || (endpoint === 'completions' && capabilities.includes('chat'))
}

/** The refusal for a known model called on an endpoint it does not serve, or undefined when it may go on. */
export function unservedEndpointError(registry: PluginRegistry, model: string, codec: ClientDialect): GatewayError | undefined {
  if (modelServesEndpoint(registry, model, codec.endpoint)) return undefined
  const serves = (knownCapabilities(registry, model) ?? []).filter((capability) => Object.values(NEEDED).includes(capability))
  const what = serves.length > 0 ? `; it serves ${serves.join(', ')}` : ''
  return new GatewayError(
    404,
    'model_not_supported',
    `The model \`${model}\` does not support ${ENDPOINT_NAMES[codec.endpoint]}, so it cannot be called on this endpoint (${codec.dialect})${what}.`,
    { param: 'model' },
  )
}

/** The endpoint kinds a model list in this dialect's shape shows models for (ModelListCodec.endpoints, else the dialect's own). */
export function listedEndpoints(codec: ClientDialect | undefined): readonly EndpointKind[] {
  return codec?.modelList?.endpoints ?? (codec ? [codec.endpoint] : ['chat'])
}

/** The models of a list that serve at least one of the endpoint kinds (unknown models stay). */
export function modelsForEndpoints(registry: PluginRegistry, models: readonly string[], endpoints: readonly EndpointKind[]): string[] {
  return models.filter((model) => endpoints.some((endpoint) => modelServesEndpoint(registry, model, endpoint)))
}
