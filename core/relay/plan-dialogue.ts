import type { PluginRegistry } from '../plugin/registry.ts'
import type { ChannelTransport, ConversionEnv, ClientDialect, EndpointKind, ModelCapability, Converted, UpstreamDialect } from '@hanggent/plugin-sdk'
import type { HubChatRequest } from '@hanggent/plugin-sdk'
import { GatewayError } from '../errors.ts'
import { applyReasoningSuffix, parseReasoningSuffix } from './reasoning-suffix.ts'
import { convertedPath, passthroughPath, type ResponsePath } from './response-path.ts'

/** How one attempt talks to its channel. */
export interface Dialogue {
  /** Codec of the dialect sent upstream: the client's own on passthrough, else a hub target (possibly an upstream-only dialect). */
  upstreamCodec: UpstreamDialect
  /** True when the call goes through the hub (different dialect, or a reasoning suffix to apply). */
  converted: boolean
  /** The body sent upstream. */
  body: Record<string, unknown>
  /** That body as bytes already (the client's own, at most with a member added), when a passthrough needs no serialising. */
  rawBody?: Uint8Array<ArrayBuffer>
  /** The model named upstream (mapped, reasoning suffix removed). */
  model: string
  /** What the conversion could not carry over. */
  warnings: string[]
  /** How the answer reaches the client: decided here with the rest of the plan, never re-checked. */
  respond: ResponsePath
  /** A converted media call (PluginDefinition.mediaConversions): the upstream's whole answer as the client dialect's body text. */
  decodeMedia?: (text: string, env: ConversionEnv) => string
}

/** The client's request decoded into the hub once, reused by every attempt. */
export type HubRequestSource = () => Converted<HubChatRequest>

/** A suffix counts only when the base model is one we know, so a vendor model named `x-high` is left alone. */
export function knownSuffix(registry: PluginRegistry, model: string) {
  const suffix = parseReasoningSuffix(model)
  return suffix && (registry.listPrice(suffix.model) || registry.model(suffix.model)) ? suffix : undefined
}

/** The first of the dialects the channel speaks natively (for this model) that can be reached through the hub. */
export function hubTarget(registry: PluginRegistry, native: readonly string[], preferred: string): UpstreamDialect | undefined {
  const candidates = native.includes(preferred) ? [preferred, ...native] : native
  return candidates
    .map((dialect) => registry.upstreamDialect(dialect))
    .find((codec) => codec?.hub && (codec.endpoint === 'chat' || codec.endpoint === 'responses'))
}

/**
 * The dialects a channel can send this model in: its transport's, narrowed to the model's own when the
 * plugins say it has fewer (a Responses-only model on an `openai` channel). A model whose dialects the
 * transport does not speak at all keeps the transport's: the upstream will say what it lacks.
 */
export function servedDialects(registry: PluginRegistry, transport: ChannelTransport, model: string): readonly string[] {
  const own = registry.model(parseReasoningSuffix(model)?.model ?? model)?.dialects ?? registry.model(model)?.dialects
  if (!own) return transport.nativeDialects
  const both = transport.nativeDialects.filter((dialect) => own.includes(dialect))
  return both.length > 0 ? both : transport.nativeDialects
}

/** The capability a model must list to serve an endpoint, for endpoints that models' capabilities name. */
const CAPABILITY_OF: Partial<Record<EndpointKind, ModelCapability>> = { completions: 'completions', chat: 'chat', embeddings: 'embeddings' }

/**
 * True when the plugins know the model and say it cannot serve the client's endpoint but can chat
 * (e.g. `gpt-4o-mini` on `/v1/completions`): the call goes through the hub to the chat endpoint instead
 * of to an upstream route that would answer 404. Unknown models pass through (see hubFallbackAvailable).
 */
export function knownToLackEndpoint(registry: PluginRegistry, model: string, clientCodec: ClientDialect): boolean {
  const needed = CAPABILITY_OF[clientCodec.endpoint]
  const capabilities = registry.model(model)?.capabilities
  return clientCodec.hub !== undefined && needed !== undefined && capabilities !== undefined && !capabilities.includes(needed) && capabilities.includes('chat')
}

/**
 * True when a passthrough call the upstream answered 404 (no such route for this model, as OpenAI answers
 * a chat model on `/v1/completions`, or a vendor without the route) can be retried through the hub into
 * another dialect the channel speaks. Never for a dialect whose hub target is itself: that would send the same call.
 */
export function hubFallbackAvailable(registry: PluginRegistry, transport: ChannelTransport, clientCodec: ClientDialect): boolean {
  if (!clientCodec.hub) return false
  const target = hubTarget(registry, transport.nativeDialects, clientCodec.dialect)
  return target !== undefined && target.dialect !== clientCodec.dialect
}

/**
 * Decides between passthrough (the channel speaks the client's dialect and nothing needs rewriting)
 * and conversion through the hub (another dialect, a reasoning suffix, or reasoning to rewrite as
 * content), and builds the upstream body accordingly.
 */
export function planDialogue(input: {
  registry: PluginRegistry
  clientCodec: ClientDialect
  transport: ChannelTransport
  channelType: string
  body: Record<string, unknown>
  hubRequest: HubRequestSource
  upstreamModel: string
  stream: boolean
  thinkingToContent: boolean
  /** The client's body as it arrived. */
  clientBytes?: Uint8Array<ArrayBuffer>
  /** Convert even when the channel speaks the client's dialect (its upstream lacks the route: see hubFallbackAvailable). */
  viaHub?: boolean
}): Dialogue {
  const { registry, clientCodec, transport } = input
  const suffix = knownSuffix(registry, input.upstreamModel)
  const dialects = servedDialects(registry, transport, input.upstreamModel)
  // Passthrough needs both roles of the client's dialect: a client-only one (no upstream role) is always converted.
  const pair = registry.passthrough(clientCodec.dialect)
  const native =
    pair !== undefined && dialects.includes(clientCodec.dialect) && !input.viaHub && !knownToLackEndpoint(registry, input.upstreamModel, clientCodec)
  // A media call has no reasoning to rewrite: it passes through whenever the channel speaks its dialect, else it is converted.
  if (clientCodec.media && !native) return mediaDialogue(input, dialects)
  if (pair && native && ((!suffix && !input.thinkingToContent) || clientCodec.media)) {
    const prepared = clientCodec.prepareUpstreamBody(input.body, input.upstreamModel, input.stream)
    const rawBody = prepared.clientBytes && input.clientBytes ? withFirstMember(input.clientBytes, prepared.clientBytes.firstMember) : undefined
    return {
      upstreamCodec: pair.upstream,
      converted: false,
      body: prepared.body,
      rawBody,
      model: input.upstreamModel,
      warnings: [],
      respond: passthroughPath(pair, prepared.hideEvent, input.body),
    }
  }
  const target = clientCodec.hub ? hubTarget(registry, dialects, clientCodec.dialect) : undefined
  if (!clientCodec.hub || !target?.hub) {
    throw new GatewayError(501, 'not_implemented', `Channel type "${input.channelType}" cannot serve ${clientCodec.dialect} requests`, { retryable: true })
  }
  const decoded = input.hubRequest()
  let request: HubChatRequest = { ...decoded.value, model: input.upstreamModel, stream: input.stream }
  if (suffix) request = applyReasoningSuffix(request, suffix, target.dialect)
  const encoded = target.hub.encodeRequest(request)
  const hide = input.stream ? clientCodec.prepareUpstreamBody(input.body, input.upstreamModel, true).hideEvent : undefined
  const respond = convertedPath({ client: clientCodec.hub, upstream: target.hub, model: request.model, thinkingToContent: input.thinkingToContent, hide })
  return { upstreamCodec: target, converted: true, body: encoded.value, model: request.model, warnings: [...decoded.warnings, ...encoded.warnings], respond }
}

/** Media answers are relayed by core/media (media-answer.ts), never through a chat response path. */
const MEDIA_RESPONSE: ResponsePath = {
  answer() {
    throw new GatewayError(500, 'internal_error', 'A media answer reached the chat response path')
  },
  stream() {
    throw new GatewayError(500, 'internal_error', 'A media answer reached the chat response path')
  },
  streamWhole() {
    throw new GatewayError(500, 'internal_error', 'A media answer reached the chat response path')
  },
}

/**
 * A media call to a channel that does not speak the client's dialect: converted by a plugin's MediaConversion to one
 * the channel does (OpenAI image generations → Imagen), or a 501 (multipart requests are never converted).
 */
function mediaDialogue(input: Parameters<typeof planDialogue>[0], dialects: readonly string[]): Dialogue {
  const { clientCodec } = input
  const conversion = input.registry.plugins
    .flatMap((plugin) => plugin.mediaConversions ?? [])
    .find((candidate) => candidate.from === clientCodec.dialect && dialects.includes(candidate.to))
  if (!conversion || clientCodec.media?.request !== 'json')
    throw new GatewayError(501, 'not_implemented', `Channel type "${input.channelType}" cannot serve ${clientCodec.dialect} requests`, { retryable: true })
  const encoded = conversion.encodeRequest(input.body, input.upstreamModel)
  return {
    upstreamCodec: { dialect: conversion.to, endpoint: conversion.endpoint, readUpstreamError: conversion.readUpstreamError },
    converted: true,
    body: encoded.value,
    model: input.upstreamModel,
    warnings: encoded.warnings,
    respond: MEDIA_RESPONSE,
    decodeMedia: (text, env) => JSON.stringify(conversion.decodeAnswer(text, input.body, env)),
  }
}

const OPEN_BRACE = 123
const encoder = new TextEncoder()

/** A JSON object's bytes with `member` (`"name":value`) added in front of its members; unchanged without one. */
export function withFirstMember(bytes: Uint8Array<ArrayBuffer>, member: string | undefined): Uint8Array<ArrayBuffer> | undefined {
  if (member === undefined) return bytes
  const brace = bytes.indexOf(OPEN_BRACE)
  if (brace === -1) return undefined
  let next = brace + 1
  while (next < bytes.length && bytes[next]! <= 32) next++
  const empty = bytes[next] === 125
  const inserted = encoder.encode(empty ? member : `${member},`)
  const out = new Uint8Array(bytes.length + inserted.length)
  out.set(bytes.subarray(0, brace + 1), 0)
  out.set(inserted, brace + 1)
  out.set(bytes.subarray(brace + 1), brace + 1 + inserted.length)
  return out
}
