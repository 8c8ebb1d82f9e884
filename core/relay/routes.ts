import { Elysia } from 'elysia'
import type { DialectCodec, InboundRequest } from '../plugin/define-plugin.ts'
import { GatewayError, toGatewayError } from '../errors.ts'
import { modelAllowed } from './authenticate.ts'
import { errorResponse, handleRelay, type RelayServices } from './pipeline.ts'

/** Fixed `created` for listed models: the gateway does not know when a vendor released a model. */
const MODEL_CREATED = 1_626_777_600

/** The key from any header or parameter a client SDK may use on the shared `/v1/models` route. */
function readAnyKey(request: InboundRequest): string | undefined {
  const authorization = request.headers.get('authorization')
  if (authorization && /^bearer\s+/i.test(authorization)) return authorization.replace(/^bearer\s+/i, '').trim()
  return request.headers.get('x-api-key') ?? request.headers.get('x-goog-api-key') ?? request.url.searchParams.get('key') ?? undefined
}

/** Renders core errors on shared routes in OpenAI's shape (the default dialect of `/v1`). */
function fallbackCodec(services: RelayServices): Pick<DialectCodec, 'renderError'> {
  return services.context.registry.dialect('openai.chat') ?? {
    renderError: (error) => ({ status: error.status, body: { error: { message: error.message, type: error.kind, code: error.code } } }),
  }
}

/** The models a caller may use: served to its group by an enabled channel and allowed by its key. */
async function listModels(services: RelayServices, request: Request, clientIp: string | undefined): Promise<Array<{ id: string; object: 'model'; created: number; owned_by: string }>> {
  const inbound: InboundRequest = { headers: request.headers, url: new URL(request.url), params: {} }
  const caller = await services.authenticator.authenticate(readAnyKey(inbound), clientIp)
  return services.directory.modelsFor(caller.group)
    .filter((model) => modelAllowed(caller.token.models, model))
    .map((id) => {
      const channel = services.directory.candidates(caller.group, id)[0]
      const owner = channel ? services.context.registry.channelType(channel.type)?.plugin.id : undefined
      return { id, object: 'model', created: MODEL_CREATED, owned_by: owner ?? 'hanggent' }
    })
}

/** Mounts every dialect's routes from the loaded plugins, plus the shared model list. */
export function relayRoutes(services: RelayServices) {
  const app = new Elysia({ name: 'relay-routes' })
  const codec = fallbackCodec(services) as DialectCodec
  const clientIpOf = (server: { requestIP(request: Request): { address: string } | null } | null, request: Request) => server?.requestIP(request)?.address
  for (const dialect of services.context.registry.dialects()) {
    for (const route of dialect.routes) {
      app.route(route.method, route.path, ({ request, params, server, set }) => handleRelay(services, dialect, {
        request,
        params: (params ?? {}) as Record<string, string>,
        clientIp: clientIpOf(server, request),
        requestId: String(set.headers['x-request-id'] ?? ''),
      }), { parse: 'none', detail: { hide: true } })
    }
  }
  app.get('/v1/models', async ({ request, server }) => {
    try {
      return Response.json({ object: 'list', data: await listModels(services, request, clientIpOf(server, request)) })
    } catch (error) {
      return errorResponse(codec, toGatewayError(error))
    }
  }, { detail: { hide: true } })
  app.get('/v1/models/:model', async ({ request, server, params }) => {
    try {
      const model = (await listModels(services, request, clientIpOf(server, request))).find((entry) => entry.id === params.model)
      if (!model) throw new GatewayError(404, 'model_not_found', `The model '${params.model}' does not exist or you do not have access to it.`, { param: 'model' })
      return Response.json(model)
    } catch (error) {
      return errorResponse(codec, toGatewayError(error))
    }
  }, { detail: { hide: true } })
  return app
}
