import type { Server } from 'bun'
import type { ClientDialect } from '@hanggent/plugin-sdk'
import { newRequestId } from '../request-id.ts'
import { handleRelay, type RelayServices } from './pipeline.ts'
import { clientIpOf } from '../http/client-ip.ts'
import { geminiSideAction } from './gemini-side-actions.ts'

/** A Bun route handler: the request, with its path parameters, and the server it arrived on. */
type NativeHandler = (request: Request & { params?: Record<string, string> }, server: Server<unknown>) => Promise<Response>

/** Bun's route table: path → method → handler. */
export type NativeRoutes = Record<string, Partial<Record<'GET' | 'POST', NativeHandler>>>

/**
 * Every dialect's routes as Bun routes, in front of the Elysia app. These carry every relayed call,
 * so they skip the framework's per-request context, hooks and response mapping; what those gave the
 * relay (the request id header, the client address) is done here. Errors never escape handleRelay.
 */
export function relayNativeRoutes(services: RelayServices): NativeRoutes {
  const routes: NativeRoutes = {}
  const trustedProxies = services.context.config.trustedProxies
  const handlerFor =
    (dialect: ClientDialect, route: string): NativeHandler =>
    async (request, server) => {
      const requestId = newRequestId()
      const clientIp = clientIpOf(server, request, trustedProxies)
      // A Gemini method on the generate route that is answered here, not relayed (countTokens).
      const side = geminiSideAction(services, route, request.params ?? {})
      const response = side
        ? await side(request, clientIp, requestId)
        : await handleRelay(services, dialect, { request, params: request.params ?? {}, clientIp, requestId, route })
      response.headers.set('x-request-id', requestId)
      return response
    }
  // One owner per route: clashes between plugins were settled at load (core/plugin/route-ownership.ts).
  for (const route of services.context.registry.routes()) (routes[route.path] ??= {})[route.method] = handlerFor(route.codec, route.path)
  return routes
}
