import { Elysia } from 'elysia'
import type { AppContext } from './app-context.ts'
import { newRequestId } from './request-id.ts'
import { createRelayServices } from './relay/services.ts'
import { modelListRoutes, relayRoutes } from './relay/routes.ts'
import { relayNativeRoutes } from './relay/native-routes.ts'
import { BILLING_ROUTES, billingRoutes } from './relay/billing-routes.ts'
import { countTokensDocumentRoutes } from './relay/count-tokens.ts'
import { relayOpenApiDocument } from './relay/relay-openapi.ts'
import type { RelayServices } from './relay/pipeline.ts'
import { apiRoutes } from './api-routes.ts'
import { taskRoutes } from './tasks/task-routes.ts'
import { dashboardRoutes } from './dashboard/routes.ts'
import { openApiRoutes } from './openapi-document.ts'
import { checkReadiness, readinessResponse } from './runtime/readiness.ts'
import { metricsHandler } from './observe/metrics.ts'
import { clientIpOf } from './http/client-ip.ts'
import { createRealtimeSessions } from './realtime/realtime-sessions.ts'
import { createMemorySessionCount, createRedisSessionCount } from './realtime/realtime-session-count.ts'
import { REALTIME_PATH, realtimeHandler } from './realtime/realtime-route.ts'
import { realtimeSessionRoutes } from './realtime/realtime-session-routes.ts'
import { REALTIME_DOCUMENT_OPERATIONS } from './realtime/realtime-openapi.ts'
import packageJson from '../package.json' with { type: 'json' }

/** The version reported by the API and the OpenAPI document. */
export const VERSION: string = packageJson.version

export { newRequestId } from './request-id.ts'

/** Builds the relay services and the Elysia app serving relay, admin API, OpenAPI document and dashboard. */
export async function createServer(context: AppContext, options: { dashboardDir?: string } = {}) {
  const services: RelayServices = await createRelayServices(context)
  const metrics = metricsHandler(context.config, services.observability.metrics)
  const maxBodyBytes = Math.ceil(context.config.maxRequestBodyMb * 1024 * 1024)
  // Realtime WebSocket sessions (GET /v1/realtime), tracked for shutdown; the per-user limit is counted in Redis when configured (shared by replicas).
  const warnSessionCount = (error: unknown) => context.logger.log('warn', 'realtime session count unavailable; session let through', { error: String(error) })
  const realtime = createRealtimeSessions(
    context.config.redisUrl ? createRedisSessionCount(context.config.redisUrl, { onError: warnSessionCount }) : createMemorySessionCount(),
    warnSessionCount,
  )
  const realtimeBufferBytes = context.config.realtimeMaxBufferKb * 1024
  const app = new Elysia({
    // Bun closes connections idle for 10 s by default, which would cut slow streams; the relay keeps its own timeouts.
    // Bodies are measured by the relay after decompression; Bun's own cap only stops absurd uploads.
    // The dialects' own routes (/v1/chat/completions, …) are Bun routes of their own: they run on every
    // relayed call, and skip the framework's per-request lifecycle (see native-routes.ts).
    serve: {
      idleTimeout: 0,
      maxRequestBodySize: maxBodyBytes * 2 + 1024 * 1024,
      routes: { ...relayNativeRoutes(services), [REALTIME_PATH]: { GET: realtimeHandler(services, realtime) } },
    },
    // Realtime sessions keep their own idle timeout and buffer bound (core/realtime); Bun's must never fire first,
    // and never drop a frame (it drops past backpressureLimit), so they sit above the session's own bound.
    websocket: { idleTimeout: 960, backpressureLimit: realtimeBufferBytes * 2 + 1024 * 1024, maxPayloadLength: 16 * 1024 * 1024 },
  })
    .onRequest(({ set }) => {
      set.headers['x-request-id'] = newRequestId()
    })
    .use(
      openApiRoutes(
        VERSION,
        relayOpenApiDocument({
          version: VERSION,
          dialects: context.registry.dialects(),
          ownedRoutes: context.registry.routes(),
          extraRoutes: [...modelListRoutes(context.registry.dialects()), ...BILLING_ROUTES, ...countTokensDocumentRoutes(context.registry.dialects())],
          documentedOperations: REALTIME_DOCUMENT_OPERATIONS,
        }),
      ),
    )
    .get('/health', async () => ({ status: 'ok', version: VERSION, database: context.database.kind }), { detail: { hide: true } })
    // Readiness for load balancers and orchestrators: database, Redis (when configured), migrations (runtime/readiness.ts).
    .get('/ready', async () => readinessResponse(await checkReadiness({ db: context.database.db, redisUrl: context.config.redisUrl })), {
      detail: { hide: true },
    })
    // Prometheus text format, this replica's own series; 404 when off, else token and/or allowlist (observe/metrics.ts).
    .get('/metrics', ({ request, server }) => metrics(request, clientIpOf(server, request, context.config.trustedProxies)), { detail: { hide: true } })
    .use(realtimeSessionRoutes(services))
    .use(relayRoutes(services))
    .use(billingRoutes(services))
    .use(taskRoutes(services))
    .use(apiRoutes(context, services))
    .use(dashboardRoutes({ dir: options.dashboardDir }))
  return { app, services, realtime }
}
