import { Elysia } from 'elysia'
import type { ClientDialect, InboundRequest } from '@hanggent/plugin-sdk'
import { GatewayError, toGatewayError } from '../errors.ts'
import { modelAllowed } from './authenticate.ts'
import { errorResponse, handleRelay, type RelayServices } from './pipeline.ts'
import { clientIpOf } from '../http/client-ip.ts'
import { clientFacingError } from './client-facing-error.ts'
import type { KeyScheme, RelayExtraRoute } from './relay-openapi.ts'
import { listedEndpoints, modelsForEndpoints } from './endpoint-capability.ts'
import { countTokensRoutes } from './count-tokens.ts'
import { GEMINI_DIALECT, geminiSideAction, requireGeminiModel } from './gemini-side-actions.ts'

/** The key from any header or parameter an SDK may use on the shared model-list routes. */
function readAnyKey(request: InboundRequest): string | undefined {
  const authorization = request.headers.get('authorization')
  if (authorization && /^bearer\s+/i.test(authorization)) return authorization.replace(/^bearer\s+/i, '').trim()
  return request.headers.get('x-api-key') ?? request.headers.get('x-goog-api-key') ?? request.url.searchParams.get('key') ?? undefined
}

/** The dialect whose list shape a request wants: the first that claims it by headers, else OpenAI's. */
function listDialect(services: RelayServices, inbound: InboundRequest, path: string): ClientDialect | undefined {
  const dialects = services.context.registry.dialects().filter((codec) => codec.modelList)
  return (
    dialects.find((codec) => codec.modelList?.routes?.includes(path)) ??
    dialects.find((codec) => codec.modelList?.matches(inbound)) ??
    services.context.registry.dialect('openai.chat')
  )
}

/** The dialect whose error shape an unknown path of a relay family gets: Gemini under /v1beta, OpenAI's elsewhere in the relay. */
function familyCodec(services: RelayServices, pathname: string): ClientDialect | undefined {
  if (pathname === '/v1beta' || pathname.startsWith('/v1beta/')) return services.context.registry.dialect('gemini.generate')
  if (pathname === '/v1' || pathname.startsWith('/v1/') || pathname.startsWith('/dashboard/billing/')) return services.context.registry.dialect('openai.chat')
  return undefined
}

/**
 * The model ids a caller may use in a list's shape: served to its group by an enabled channel, allowed
 * by its key, and able to serve the list's endpoint kinds (a rerank-only model is not listed to chat clients).
 */
async function allowedModels(
  services: RelayServices,
  inbound: InboundRequest,
  clientIp: string | undefined,
  codec: ClientDialect | undefined,
): Promise<string[]> {
  const caller = await services.authenticator.authenticate(readAnyKey(inbound), clientIp)
  const allowed = services.directory.modelsFor(caller.group).filter((model) => modelAllowed(caller.token.models, model))
  return modelsForEndpoints(services.context.registry, allowed, listedEndpoints(codec))
}

/** Key locations the shared model-list routes accept (see readAnyKey). */
const LIST_KEY_SCHEMES: KeyScheme[] = ['bearerKey', 'xApiKey', 'xGoogApiKey', 'keyQuery']

/** The model-list routes the core serves for every dialect, as the relay document lists them. */
export function modelListRoutes(dialects: readonly ClientDialect[]): RelayExtraRoute[] {
  const owner = (path: string) => dialects.find((codec) => codec.modelList?.routes?.includes(path))?.dialect ?? 'openai.chat'
  const listPaths = new Set(['/v1/models', ...dialects.flatMap((codec) => codec.modelList?.routes ?? [])])
  return [
    ...[...listPaths].map((path) => ({
      path,
      summary: `List the models this key may use (${path === '/v1/models' ? "shape chosen by the SDK's headers" : owner(path)})`,
      tag: 'models' as const,
      errorDialect: owner(path),
      security: LIST_KEY_SCHEMES,
    })),
    { path: '/v1/models/:model', summary: 'Retrieve one model this key may use', tag: 'models', errorDialect: 'openai.chat', security: LIST_KEY_SCHEMES },
    ...(dialects.some((codec) => codec.dialect === GEMINI_DIALECT && codec.modelList)
      ? [
          {
            path: '/v1beta/models/:model',
            summary: "Retrieve one model this key may use, in Gemini's shape",
            tag: 'models' as const,
            errorDialect: GEMINI_DIALECT,
            security: LIST_KEY_SCHEMES,
          },
        ]
      : []),
  ]
}

/**
 * A failure of a relay side route (model lists, billing) in the dialect's error shape, or OpenAI's
 * shape when no dialect is loaded; a gateway fault shows only a generic message with the request id.
 */
export function relayRouteFailure(services: RelayServices, codec: ClientDialect | undefined, requestId: string, thrown: unknown): Response {
  const error = clientFacingError(services.context.logger, requestId, toGatewayError(thrown))
  if (codec) return errorResponse(codec, error)
  return Response.json({ error: { message: error.message, type: error.kind, code: error.code } }, { status: error.status })
}

/** The request id the app's onRequest hook put on the answer's headers. */
export function requestIdOf(set: { headers: object }): string {
  return String((set.headers as Record<string, unknown>)['x-request-id'] ?? '')
}

/**
 * Mounts every dialect's routes and the model lists in each dialect's shape. A listening server answers
 * the dialect routes from native Bun routes in front of the app (native-routes.ts); these copies serve
 * `app.handle()` (tests, embedding), through the same handleRelay.
 */
export function relayRoutes(services: RelayServices) {
  const app = new Elysia({ name: 'relay-routes' })
  for (const route of services.context.registry.routes()) {
    app.route(
      route.method,
      route.path,
      ({ request, params, server, set }) => {
        const clientIp = clientIpOf(server, request, services.context.config.trustedProxies)
        const side = geminiSideAction(services, route.path, (params ?? {}) as Record<string, string>)
        if (side) return side(request, clientIp, requestIdOf(set))
        return handleRelay(services, route.codec, {
          request,
          params: (params ?? {}) as Record<string, string>,
          clientIp,
          requestId: requestIdOf(set),
          route: route.path,
        })
      },
      { parse: 'none', detail: { hide: true } },
    )
  }
  // Unknown paths of a relay family answer in that family's JSON error shape (SDKs parse it), never plain text.
  app.onError({ as: 'global' }, ({ code, request }) => {
    if (code !== 'NOT_FOUND') return undefined
    const url = new URL(request.url)
    const codec = familyCodec(services, url.pathname)
    if (!codec) return undefined
    return errorResponse(codec, new GatewayError(404, 'not_found', `Invalid URL (${request.method} ${url.pathname})`))
  })
  const listPaths = modelListRoutes(services.context.registry.dialects())
    .map((route) => route.path)
    .filter((path) => path !== '/v1/models/:model' && path !== '/v1beta/models/:model')
  for (const path of listPaths) {
    app.get(
      path,
      async ({ request, server, set }) => {
        const inbound: InboundRequest = { headers: request.headers, url: new URL(request.url), params: {} }
        const codec = listDialect(services, inbound, path)
        try {
          const models = await allowedModels(services, inbound, clientIpOf(server, request, services.context.config.trustedProxies), codec)
          return Response.json(codec?.modelList?.render(models) ?? { data: models })
        } catch (error) {
          return relayRouteFailure(services, codec, requestIdOf(set), error)
        }
      },
      { detail: { hide: true } },
    )
  }
  app.get(
    '/v1/models/:model',
    async ({ request, server, params, set }) => {
      const inbound: InboundRequest = { headers: request.headers, url: new URL(request.url), params: {} }
      const codec = listDialect(services, inbound, '/v1/models')
      try {
        const models = await allowedModels(services, inbound, clientIpOf(server, request, services.context.config.trustedProxies), codec)
        if (!models.includes(params.model))
          throw new GatewayError(404, 'model_not_found', `The model '${params.model}' does not exist or you do not have access to it.`, { param: 'model' })
        // OpenAI's list shape is `{data: […]}`, Gemini's `{models: […]}` (a Google SDK retrieving a model on /v1).
        const list = codec?.modelList?.render([params.model]) as { data?: unknown[]; models?: unknown[] } | undefined
        return Response.json(list?.data?.[0] ?? list?.models?.[0] ?? { id: params.model })
      } catch (error) {
        return relayRouteFailure(services, codec, requestIdOf(set), error)
      }
    },
    { detail: { hide: true } },
  )
  const gemini = services.context.registry.dialect(GEMINI_DIALECT)
  if (gemini?.modelList) {
    const list = gemini.modelList
    // One model in Gemini's shape (the SDKs' models.get); a model the key may not use is Gemini's 404.
    app.get(
      '/v1beta/models/:model',
      async ({ request, server, params, set }) => {
        const inbound: InboundRequest = { headers: request.headers, url: new URL(request.url), params: {} }
        const model = decodeURIComponent(params.model).replace(/^models\//, '')
        try {
          await requireGeminiModel(services, inbound, clientIpOf(server, request, services.context.config.trustedProxies), model)
          const rendered = list.render([model]) as { models?: unknown[] }
          return Response.json(rendered.models?.[0] ?? { name: `models/${model}` })
        } catch (error) {
          return relayRouteFailure(services, gemini, requestIdOf(set), error)
        }
      },
      { detail: { hide: true } },
    )
  }
  app.use(countTokensRoutes(services))
  return app
}
