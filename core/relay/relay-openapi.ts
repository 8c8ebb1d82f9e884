import type { ClientDialect, EndpointKind, InboundRequest } from '@hanggent/plugin-sdk'
import { GatewayError, type GatewayErrorCode } from '../errors.ts'

// The relay's own OpenAPI document (/swagger/relay/json), apart from the admin API's: the model
// endpoints SDKs call with an `sk-…` key. It is built from what the loaded plugins declare — each
// dialect's routes, its request schema (the one the relay validates with), the key locations its
// `readKey` accepts and its own error shape — so a route a plugin adds is documented with no extra work.
// Pure: the same registry gives the same document.

type Json = Record<string, unknown>

/** A model-list, key-balance or token-count route the core serves beside the dialects' own routes. */
export interface RelayExtraRoute {
  /** Path in Elysia syntax. */
  path: string
  /** HTTP method (default GET); a POST takes a JSON body. */
  method?: 'GET' | 'POST'
  /** One line for the document. */
  summary: string
  /** Tag the route is listed under. */
  tag: 'models' | 'billing' | 'tokens'
  /** The dialect whose error shape the route answers in. */
  errorDialect: string
  /** Key locations accepted, by security scheme name. */
  security: KeyScheme[]
}

/** A route the core documents in full itself (the realtime WebSocket and its session routes), listed under its own tag. */
export interface RelayDocumentedOperation {
  /** Path in Elysia syntax. */
  path: string
  method: 'GET' | 'POST'
  /** The tag it is listed under, with the tag's description. */
  tag: { name: string; description: string }
  /** Key locations accepted, by security scheme name. */
  security: KeyScheme[]
  /** The OpenAPI operation: summary, description, parameters, requestBody and its non-error responses. */
  operation: Record<string, unknown>
  /** Refusals it answers, rendered in `errorDialect`'s error shape. */
  errors: readonly number[]
  /** The dialect whose error shape the route answers in. */
  errorDialect: string
}

/** What the relay document is built from. */
export interface RelayDocumentInput {
  /** The gateway version, published in `info.version`. */
  version: string
  /** Every loaded dialect codec. */
  dialects: readonly ClientDialect[]
  /** Model lists and key-balance routes, served by the core for all dialects. */
  extraRoutes: readonly RelayExtraRoute[]
  /** Routes the core documents operation by operation (realtime). */
  documentedOperations?: readonly RelayDocumentedOperation[]
  /** The routes actually mounted, each with its owning dialect; when given, a route a dialect lost to another plugin is not listed under it. */
  ownedRoutes?: ReadonlyArray<{ method: string; path: string; codec: ClientDialect }>
}

/** A place a relay key may travel, as an OpenAPI security scheme. */
export type KeyScheme = 'bearerKey' | 'xApiKey' | 'xGoogApiKey' | 'apiKeyHeader' | 'keyQuery' | 'realtimeKeyProtocol'

const KEY_SCHEMES: Record<KeyScheme, Json> = {
  bearerKey: { type: 'http', scheme: 'bearer', description: 'A relay key (`sk-…`) as `Authorization: Bearer sk-…` (OpenAI SDKs)' },
  xApiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'A relay key in the `x-api-key` header (Anthropic SDKs)' },
  xGoogApiKey: { type: 'apiKey', in: 'header', name: 'x-goog-api-key', description: 'A relay key in the `x-goog-api-key` header (Google Gen AI SDKs)' },
  apiKeyHeader: { type: 'apiKey', in: 'header', name: 'api-key', description: 'A relay key in the `api-key` header (Azure OpenAI clients)' },
  keyQuery: { type: 'apiKey', in: 'query', name: 'key', description: 'A relay key in the `key` query parameter (Gemini REST examples)' },
  realtimeKeyProtocol: {
    type: 'apiKey',
    in: 'header',
    name: 'sec-websocket-protocol',
    description:
      'Browsers, which cannot set headers on a WebSocket: the relay key as the offered subprotocol `openai-insecure-api-key.sk-…`, beside `realtime` (e.g. `realtime, openai-insecure-api-key.sk-…, openai-beta.realtime-v1`)',
  },
}

/** A probe request per scheme: the key where that scheme puts it. */
function probeRequest(scheme: KeyScheme, key: string): InboundRequest {
  const headers = new Headers()
  const url = new URL('http://gateway.invalid/')
  if (scheme === 'bearerKey') headers.set('authorization', `Bearer ${key}`)
  else if (scheme === 'keyQuery') url.searchParams.set('key', key)
  else headers.set(String(KEY_SCHEMES[scheme].name), key)
  return { headers, url, params: {} }
}

/** The schemes a dialect's `readKey` accepts, found by handing it a probe key in each place. */
export function keySchemesOf(codec: Pick<ClientDialect, 'readKey'>): KeyScheme[] {
  const probe = 'sk-openapi-probe'
  return (Object.keys(KEY_SCHEMES) as KeyScheme[]).filter((scheme) => codec.readKey(probeRequest(scheme, probe)) === probe)
}

const ENDPOINT_SUMMARIES: Record<EndpointKind, string> = {
  chat: 'Chat',
  completions: 'Text completion',
  embeddings: 'Embeddings',
  responses: 'Responses',
  rerank: 'Rerank',
  image: 'Image generation',
  audio: 'Audio',
  task: 'Asynchronous task',
}

/** Errors every relay route may answer, with a sample rendered in the route's own dialect. */
const RELAY_ERRORS: ReadonlyArray<{ status: number; code: GatewayErrorCode; message: string; description: string }> = [
  { status: 400, code: 'invalid_request', message: "Missing required parameter: 'model'", description: 'The body is not valid for this format' },
  { status: 401, code: 'invalid_api_key', message: 'Invalid API key', description: 'No key, or an unknown, disabled or expired one' },
  {
    status: 403,
    code: 'model_not_allowed',
    message: 'This key may not use this model',
    description: "The key's model or IP allowlist refuses the call, or its quota is spent",
  },
  {
    status: 404,
    code: 'model_not_found',
    message: "The model 'x' does not exist or you do not have access to it.",
    description: "No channel serves this model to the key's group",
  },
  { status: 429, code: 'rate_limited', message: 'Rate limit reached', description: 'A rate limit was reached; see Retry-After' },
  {
    status: 503,
    code: 'no_available_channel',
    message: 'No channel is available for this model right now',
    description: 'Every channel serving the model is down or cooling',
  },
]

/** `/v1beta/models/:modelAction` → `/v1beta/models/{modelAction}`. */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}')
}

function pathParameters(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((match) => match[1]!)
}

/** A stable, URL-safe operation id from the method and path: `POST /v1/chat/completions` → `postV1ChatCompletions`. */
export function relayOperationId(method: string, path: string): string {
  const words = [method.toLowerCase(), ...path.split(/[^A-Za-z0-9]+/).filter(Boolean)]
  return words.map((word, index) => (index === 0 ? word : word[0]!.toUpperCase() + word.slice(1))).join('')
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('')
}

/** A TypeBox schema as plain JSON Schema: symbols and functions dropped, no `$id` that would clash with its component name. */
function plainSchema(schema: unknown): Json {
  const { $id: _id, ...rest } = JSON.parse(JSON.stringify(schema ?? {})) as Json
  return rest
}

function errorResponses(codec: ClientDialect | undefined, statuses: readonly number[]): Json {
  const responses: Json = {}
  for (const error of RELAY_ERRORS.filter((candidate) => statuses.includes(candidate.status))) {
    const sample = codec?.renderError(new GatewayError(error.status, error.code, error.message))
    responses[String(error.status)] = {
      description: error.description,
      content: { 'application/json': { schema: { type: 'object' }, ...(sample ? { example: sample.body } : {}) } },
    }
  }
  return responses
}

const PARAMETER_DESCRIPTIONS: Record<string, string> = {
  modelAction: 'The model and the method, e.g. `gemini-2.5-flash:generateContent`',
  model: 'A model id',
}

/** The path parameters of a route, named as in `documentedPath` (which may name them differently), described by the route's own names. */
function parametersOf(routePath: string, documentedPath: string): Json[] {
  const own = pathParameters(routePath)
  return [...documentedPath.matchAll(/\{(\w+)\}/g)].map((match, index) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: PARAMETER_DESCRIPTIONS[own[index] ?? ''] ?? `The ${own[index] ?? match[1]}`,
  }))
}

/** `/v1/models/{model}` → `/v1/models/{}`: paths OpenAPI treats as one whatever their parameters are called. */
export function pathShape(path: string): string {
  return openApiPath(path).replace(/\{\w+\}/g, '{}')
}

/** The family a dialect belongs to (`openai.chat` → `openai`): its tag in the document. */
function familyOf(dialect: string): string {
  return dialect.split('.')[0] ?? dialect
}

/** Builds the relay's OpenAPI 3.1 document. */
export function relayOpenApiDocument(input: RelayDocumentInput): Json {
  const schemas: Json = {}
  const usedSchemes = new Set<KeyScheme>()
  const families = new Map<string, Set<string>>()
  const byDialect = new Map(input.dialects.map((codec) => [codec.dialect, codec]))
  const operations: Array<{ routePath: string; method: string; operation: Json }> = []

  // The core's routes first, so a path that a dialect route shares in shape (GET /v1/models/{model},
  // POST /v1/models/{modelAction}) is listed under the core's parameter name.
  for (const route of input.extraRoutes) {
    for (const scheme of route.security) usedSchemes.add(scheme)
    const method = route.method ?? 'GET'
    operations.push({
      routePath: route.path,
      method: method.toLowerCase(),
      operation: {
        operationId: relayOperationId(method, route.path),
        summary: route.summary,
        tags: [route.tag],
        security: route.security.map((scheme) => ({ [scheme]: [] })),
        ...(method === 'POST' ? { requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } } } : {}),
        responses: {
          200: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } },
          ...errorResponses(byDialect.get(route.errorDialect), route.tag === 'billing' ? [401] : route.tag === 'tokens' ? [400, 401, 404] : [401, 404]),
        },
      },
    })
  }

  for (const route of input.documentedOperations ?? []) {
    for (const scheme of route.security) usedSchemes.add(scheme)
    const responses = (route.operation.responses ?? {}) as Json
    operations.push({
      routePath: route.path,
      method: route.method.toLowerCase(),
      operation: {
        operationId: relayOperationId(route.method, route.path),
        tags: [route.tag.name],
        security: route.security.map((scheme) => ({ [scheme]: [] })),
        ...route.operation,
        responses: { ...responses, ...errorResponses(byDialect.get(route.errorDialect), route.errors) },
      },
    })
  }

  for (const codec of input.dialects) {
    // A dialect reached only through another's routes (gemini.embed, on the generate path) has nothing of its own to list.
    if (codec.routes.length === 0) continue
    const family = familyOf(codec.dialect)
    if (!families.has(family)) families.set(family, new Set())
    families.get(family)!.add(codec.dialect)
    const schemaName = `${pascal(codec.dialect)}Request`
    schemas[schemaName] = plainSchema(codec.requestSchema)
    const schemes = keySchemesOf(codec)
    for (const scheme of schemes) usedSchemes.add(scheme)
    const owned = input.ownedRoutes
    const routes = owned
      ? codec.routes.filter((route) => owned.some((entry) => entry.codec === codec && entry.method === route.method && entry.path === route.path))
      : codec.routes
    for (const route of routes) {
      // A media dialect's binary answer (speech audio) is bytes with the upstream's Content-Type; a multipart request carries its files beside the text fields.
      const success: Json =
        codec.media?.response === 'binary'
          ? {
              'application/octet-stream': {
                schema: { type: 'string', format: 'binary', description: `The ${codec.dialect} answer's bytes, with the upstream's Content-Type` },
              },
            }
          : { 'application/json': { schema: { type: 'object', description: `The ${codec.dialect} response` } } }
      const requestType = codec.media?.request === 'multipart' ? 'multipart/form-data' : 'application/json'
      if (codec.hub)
        success['text/event-stream'] = {
          schema: { type: 'string', description: `Server-sent events in the ${codec.dialect} stream format, when the request asks for a stream` },
        }
      operations.push({
        routePath: route.path,
        method: route.method.toLowerCase(),
        operation: {
          operationId: relayOperationId(route.method, route.path),
          summary: `${ENDPOINT_SUMMARIES[codec.endpoint] ?? codec.endpoint} (${codec.dialect})`,
          description: `Relayed to a channel serving the model: passed through unchanged when the channel speaks ${codec.dialect}, converted otherwise. Billed to the key.`,
          tags: [family],
          security: schemes.map((scheme) => ({ [scheme]: [] })),
          ...(route.method === 'POST'
            ? { requestBody: { required: true, content: { [requestType]: { schema: { $ref: `#/components/schemas/${schemaName}` } } } } }
            : {}),
          responses: {
            200: { description: 'The answer, in the same format as the request', content: success },
            ...errorResponses(codec, [400, 401, 403, 404, 429, 503]),
          },
        },
      })
    }
  }

  const paths: Record<string, Json> = {}
  const pathForShape = new Map<string, string>()
  for (const { routePath, method, operation } of operations) {
    const shape = pathShape(routePath)
    if (!pathForShape.has(shape)) pathForShape.set(shape, openApiPath(routePath))
    const documentedPath = pathForShape.get(shape)!
    const parameters = parametersOf(routePath, documentedPath)
    paths[documentedPath] = { ...paths[documentedPath], [method]: { ...operation, ...(parameters.length > 0 ? { parameters } : {}) } }
  }

  const tags = [
    ...[...families].map(([family, dialects]) => ({ name: family, description: `Model endpoints in the ${family} wire format (${[...dialects].join(', ')})` })),
    ...(input.extraRoutes.some((route) => route.tag === 'models')
      ? [{ name: 'models', description: 'The models a key may use, in the shape its SDK expects' }]
      : []),
    ...(input.extraRoutes.some((route) => route.tag === 'billing')
      ? [{ name: 'billing', description: "A key's spendable total and spend, for key-balance tools" }]
      : []),
    ...(input.extraRoutes.some((route) => route.tag === 'tokens')
      ? [{ name: 'tokens', description: 'Token counts of a prompt, estimated by the gateway, free of charge' }]
      : []),
    ...[...new Map((input.documentedOperations ?? []).map((route) => [route.tag.name, route.tag])).values()],
  ]
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hanggent API — relay',
      version: input.version,
      description:
        "The model endpoints: any OpenAI, Anthropic or Gemini SDK pointed at the gateway with a relay key (`sk-…`, created under `/api/tokens`). Errors come in each format's own error shape.",
      license: { name: 'MIT', identifier: 'MIT' },
      contact: { name: 'Hanggent API maintainers' },
    },
    servers: [{ url: '/', description: 'The gateway serving this document' }],
    tags,
    paths,
    components: {
      schemas,
      securitySchemes: Object.fromEntries(
        (Object.keys(KEY_SCHEMES) as KeyScheme[]).filter((scheme) => usedSchemes.has(scheme)).map((scheme) => [scheme, KEY_SCHEMES[scheme]]),
      ),
    },
  }
}
