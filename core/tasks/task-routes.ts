import { Elysia } from 'elysia'
import type {
  InboundRequest,
  TaskContentRoute,
  TaskFetchRoute,
  TaskListRoute,
  TaskPlatform,
  TaskSubmitRoute,
  TaskUploadFile,
  TaskUpstreamReadRoute,
} from '@hanggent/plugin-sdk'
import { readBearerToken } from '@hanggent/plugin-sdk'
import { GatewayError, toGatewayError } from '../errors.ts'
import type { RelayServices } from '../relay/pipeline.ts'
import type { KeyCaller } from '../relay/authenticate.ts'
import { clientIpOf } from '../http/client-ip.ts'
import { clientFacingError } from '../relay/client-facing-error.ts'
import { parseJsonObject, readLimitedBody } from '../relay/read-body.ts'
import { validateBody } from '../relay/validate-body.ts'
import { requestIdOf } from '../relay/routes.ts'
import { channelClient } from '../routing/channel-client.ts'
import { findTask, findUserTask, findUserTasks, resultOf, type TaskRow } from './task-store.ts'
import { submitTask, taskChannelContext, TASK_UPSTREAM_TIMEOUT_MS, upstreamReply } from './task-submit.ts'
import { taskPlatforms, taskView, type FileLinks } from './task-view.ts'

// The client routes of every task platform, mounted from what the platforms declare. Each answers in the
// platform's own wire shape, errors included. Reads are scoped to the key's user: another user's task is
// a 404, exactly like a task that does not exist, so ids cannot be probed.

/** Default largest submit body: 10 MiB (base64 images). */
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024

/** One incoming request to a task route. */
interface TaskRequest {
  request: Request
  params: Record<string, string>
  clientIp: string | undefined
  requestId: string
}

/** What platforms may read of a request. */
function inboundOf(task: TaskRequest): InboundRequest {
  return { headers: task.request.headers, params: task.params, url: new URL(task.request.url) }
}

/** The public origin file links point at: the request's own. */
function linksOf(services: RelayServices, request: Request): FileLinks {
  return { origin: new URL(request.url).origin, proxy: services.context.config.taskProxyResults }
}

/** The caller of a task route, by the platform's key header or a bearer token. */
async function authenticate(services: RelayServices, platform: TaskPlatform, task: TaskRequest): Promise<KeyCaller> {
  const inbound = inboundOf(task)
  const key = platform.readKey?.(inbound) ?? readBearerToken(inbound.headers)
  return services.authenticator.authenticate(key, task.clientIp)
}

/** Renders a failure in the platform's error shape; a gateway fault shows a generic message with the request id. */
function failure(services: RelayServices, platform: TaskPlatform, task: TaskRequest, thrown: unknown): Response {
  const error = clientFacingError(services.context.logger, task.requestId, toGatewayError(thrown))
  const rendered = platform.renderError(error)
  return Response.json(rendered.body, { status: rendered.status, headers: error.options.headers })
}

/** A JSON or multipart submit body, within the route's size limit. */
async function readSubmitBody(route: TaskSubmitRoute, request: Request): Promise<Record<string, unknown>> {
  const bytes = await readLimitedBody(request, route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)
  const type = request.headers.get('content-type') ?? ''
  const accepts = route.accepts ?? ['json']
  if (/^multipart\/form-data/i.test(type)) {
    if (!accepts.includes('multipart')) throw new GatewayError(415, 'unsupported_media_type', 'This route takes a JSON body')
    let form: FormData
    try {
      form = await new Response(bytes, { headers: { 'content-type': type } }).formData()
    } catch {
      throw new GatewayError(400, 'invalid_request', 'The multipart body could not be read')
    }
    const body: Record<string, unknown> = {}
    for (const [name, value] of form.entries()) {
      body[name] = typeof value === 'string' ? value : await uploadFile(value as unknown as File)
    }
    return body
  }
  if (!accepts.includes('json')) throw new GatewayError(415, 'unsupported_media_type', 'This route takes a multipart/form-data body')
  return parseJsonObject(bytes)
}

/** A multipart file as the SDK's TaskUploadFile. */
async function uploadFile(file: File): Promise<TaskUploadFile> {
  return { name: file.name, type: file.type, bytes: new Uint8Array(await file.arrayBuffer()) }
}

/** POST submit: read, check, charge, send, store, answer in the platform's shape. */
async function handleSubmit(services: RelayServices, platform: TaskPlatform, route: TaskSubmitRoute, task: TaskRequest): Promise<Response> {
  const startedAt = Date.now()
  const caller = await authenticate(services, platform, task)
  const body = await readSubmitBody(route, task.request)
  if (route.requestSchema) validateBody(route.requestSchema, body)
  const submission = route.readSubmission(body, inboundOf(task))
  const row = await submitTask(services, { platform, caller, submission, requestId: task.requestId, clientIp: task.clientIp, startedAt })
  return Response.json(platform.renderSubmitted(taskView(platform, row, linksOf(services, task.request))))
}

/** A caller's own task, or 404. */
async function ownTask(services: RelayServices, platform: TaskPlatform, caller: KeyCaller, id: string | undefined): Promise<TaskRow> {
  const row = id ? await findUserTask(services.context, id, caller.user.id) : undefined
  if (!row || row.platform !== platform.id) throw new GatewayError(404, 'not_found', `Task "${id ?? ''}" does not exist`)
  return row
}

/** GET one task from the gateway's table. */
async function handleFetch(services: RelayServices, platform: TaskPlatform, route: TaskFetchRoute, task: TaskRequest): Promise<Response> {
  const caller = await authenticate(services, platform, task)
  const row = await ownTask(services, platform, caller, task.params.id)
  return Response.json(route.render(taskView(platform, row, linksOf(services, task.request))))
}

/** Several of the caller's tasks; ids of others' tasks (or unknown ones) are left out. */
async function handleList(services: RelayServices, platform: TaskPlatform, route: TaskListRoute, task: TaskRequest): Promise<Response> {
  const caller = await authenticate(services, platform, task)
  const body = task.request.method === 'GET' ? {} : parseJsonObject(await readLimitedBody(task.request, 1024 * 1024))
  const ids = route.readIds(body, inboundOf(task)).slice(0, 1000)
  const rows = (await findUserTasks(services.context, ids, caller.user.id)).filter((row) => row.platform === platform.id)
  const links = linksOf(services, task.request)
  return Response.json(route.render(rows.map((row) => taskView(platform, row, links))))
}

/** Streams a result file through the gateway, hiding the upstream host. */
async function handleContent(services: RelayServices, platform: TaskPlatform, route: TaskContentRoute, task: TaskRequest): Promise<Response> {
  const id = task.params.id
  const row =
    route.requiresKey === false
      ? await findTask(services.context, id ?? '')
      : await ownTask(services, platform, await authenticate(services, platform, task), id).catch(() => undefined)
  if (!row || row.platform !== platform.id) throw new GatewayError(404, 'not_found', `Task "${id ?? ''}" does not exist`)
  const inbound = inboundOf(task)
  const view = taskView(platform, row, { origin: '', proxy: false })
  const index = route.pickFile?.(view, inbound) ?? Number(inbound.url.searchParams.get('index') ?? 0)
  return streamTaskFile(services, route, row, index, inbound, task.request.signal)
}

/**
 * Streams result file `index` of a task from where it is stored: the content route's keyed upstream
 * request when it builds one (OpenAI video content), else the stored file URL; the upstream host and
 * key never reach the client. Also serves the dashboard (GET /api/tasks/{id}/files/{index}).
 */
export async function streamTaskFile(
  services: RelayServices,
  route: TaskContentRoute | undefined,
  row: TaskRow,
  index: number,
  inbound: InboundRequest,
  signal?: AbortSignal,
): Promise<Response> {
  const file = resultOf(row)?.files?.[Number.isInteger(index) ? index : 0]
  const channel = row.channelId === null ? undefined : services.directory.channel(row.channelId)
  const keyed =
    route?.buildRequest && channel && row.upstreamTaskId
      ? route.buildRequest(taskChannelContext(services, channel), row.upstreamTaskId, inbound, file ?? { kind: 'file', url: '' })
      : undefined
  if (!keyed && !file) throw new GatewayError(404, 'not_found', `Task "${row.id}" has no such result file yet`)
  const request = keyed ?? { url: file!.url, method: 'GET' as const, headers: {} }
  const exchange = await channelClient(services.context).send(request, { timeoutMs: TASK_UPSTREAM_TIMEOUT_MS, purpose: 'the result file', signal })
  exchange.stopTimer()
  const upstream = exchange.response
  if (!upstream.ok) {
    exchange.release()
    throw new GatewayError(502, 'upstream_error', `The result file could not be fetched (HTTP ${upstream.status})`)
  }
  const fallbackType = file?.kind === 'image' ? 'image/jpeg' : 'application/octet-stream'
  const headers: Record<string, string> = { 'content-type': upstream.headers.get('content-type') ?? fallbackType, 'cache-control': 'private, max-age=3600' }
  const length = upstream.headers.get('content-length')
  if (length) headers['content-length'] = length
  return new Response(upstream.body, { status: 200, headers })
}

/** Asks the task's own channel (MJ image-seed) and answers with the platform's rendering. */
async function handleUpstreamRead(services: RelayServices, platform: TaskPlatform, route: TaskUpstreamReadRoute, task: TaskRequest): Promise<Response> {
  const caller = await authenticate(services, platform, task)
  const row = await ownTask(services, platform, caller, task.params.id)
  const channel = row.channelId === null ? undefined : services.directory.channel(row.channelId)
  if (!channel || !row.upstreamTaskId) throw new GatewayError(503, 'no_available_channel', 'The channel that ran this task is not available any more')
  const request = route.buildRequest(taskChannelContext(services, channel), row.upstreamTaskId)
  const answer = await channelClient(services.context).read(request, { timeoutMs: TASK_UPSTREAM_TIMEOUT_MS, purpose: 'the task read' })
  const rendered = route.render(upstreamReply(answer.status, answer.text), taskView(platform, row, linksOf(services, task.request)))
  return Response.json(rendered.body, { status: rendered.status })
}

/** Dispatches a request to its route kind. */
function handle(services: RelayServices, platform: TaskPlatform, route: TaskPlatform['routes'][number], task: TaskRequest): Promise<Response> {
  switch (route.kind) {
    case 'submit':
      return handleSubmit(services, platform, route, task)
    case 'fetch':
      return handleFetch(services, platform, route, task)
    case 'list':
      return handleList(services, platform, route, task)
    case 'content':
      return handleContent(services, platform, route, task)
    case 'upstream-read':
      return handleUpstreamRead(services, platform, route, task)
  }
}

/** Mounts every task platform's routes. */
export function taskRoutes(services: RelayServices) {
  const app = new Elysia({ name: 'task-routes' })
  for (const platform of taskPlatforms(services.context.registry)) {
    for (const route of platform.routes) {
      app.route(
        route.method,
        route.path,
        async ({ request, params, server, set }) => {
          const task: TaskRequest = {
            request,
            params: (params ?? {}) as Record<string, string>,
            clientIp: clientIpOf(server, request, services.context.config.trustedProxies),
            requestId: requestIdOf(set),
          }
          try {
            return await handle(services, platform, route, task)
          } catch (thrown) {
            return failure(services, platform, task, thrown)
          }
        },
        { parse: 'none', detail: { hide: true } },
      )
    }
  }
  return app
}
