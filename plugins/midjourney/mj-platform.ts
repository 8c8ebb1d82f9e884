import {
  GatewayError,
  isRecord,
  readHeaderValue,
  type InboundRequest,
  type TaskPlatform,
  type TaskRoute,
  type UpstreamReply,
  type UpstreamTaskState,
} from '@hanggent/plugin-sdk'
import { midjourneyPrices } from './pricing.ts'
import { buildMidjourneySubmit, kindOfPath, MIDJOURNEY_SUBMIT_KINDS, modeOfRequest, readMidjourneySubmission } from './mj-submit.ts'
import { readMidjourneySubmitReply, readMidjourneyTask, renderMidjourneyError, renderMidjourneySubmitted, renderMidjourneyTask } from './mj-task.ts'
import { midjourneyRequest } from './mj-transport.ts'

// The `midjourney` task platform: Midjourney-Proxy's client routes under `/mj` and under the mode
// prefixes `/mj-fast`, `/mj-turbo`, `/mj-relax` (New API's `/:mode/mj/…`), priced per action and mode.
// Polling asks `list-by-condition` for many tasks at once. see github.com/novicezk/midjourney-proxy docs/api.md

/** Route prefixes: plain, and one per speed mode. */
export const MIDJOURNEY_PREFIXES = ['', '/mj-fast', '/mj-turbo', '/mj-relax']

/** Most ids one list-by-condition request carries. */
const POLL_BATCH = 50

/** Largest submit body: base64 images are large, but a few MB covers five of them. */
const MAX_SUBMIT_BYTES = 8 * 1024 * 1024

/** The ids of a list-by-condition body: `{ids: [string…]}`. */
function readListIds(body: Record<string, unknown>): string[] {
  const ids = body.ids
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))
    throw new GatewayError(400, 'invalid_request', 'ids must be an array of task ids', { param: 'ids' })
  return ids as string[]
}

/** The client routes under one prefix. */
function routesUnder(prefix: string): TaskRoute[] {
  const submits: TaskRoute[] = MIDJOURNEY_SUBMIT_KINDS.map((kind) => ({
    kind: 'submit',
    method: 'POST',
    path: `${prefix}/mj/submit/${kind}`,
    maxBodyBytes: MAX_SUBMIT_BYTES,
    readSubmission: (body: Record<string, unknown>, request: InboundRequest) =>
      readMidjourneySubmission(kindOfPath(request.url.pathname), modeOfRequest(request), body),
  }))
  return [
    ...submits,
    { kind: 'fetch', method: 'GET', path: `${prefix}/mj/task/:id/fetch`, render: renderMidjourneyTask },
    { kind: 'list', method: 'POST', path: `${prefix}/mj/task/list-by-condition`, readIds: readListIds, render: (tasks) => tasks.map(renderMidjourneyTask) },
    {
      kind: 'upstream-read',
      method: 'GET',
      path: `${prefix}/mj/task/:id/image-seed`,
      buildRequest: (channel, upstreamTaskId) => midjourneyRequest(channel, 'GET', `/mj/task/${encodeURIComponent(upstreamTaskId)}/image-seed`),
      render: renderImageSeed,
    },
  ]
}

/** The image-seed answer `{code, description, result: seed}` as the upstream gave it (it names no ids); an unreadable one is a 502. */
function renderImageSeed(reply: UpstreamReply): { status: number; body: unknown } {
  if (!isRecord(reply.json))
    return renderMidjourneyError(new GatewayError(502, 'bad_upstream_response', 'Midjourney-Proxy answered the image-seed request without JSON'))
  const { code, description, result } = reply.json
  return { status: reply.status < 500 ? reply.status : 502, body: { code, description, result, properties: {} } }
}

/** The states of a list-by-condition answer (an array of task objects). */
function readPollReply(reply: UpstreamReply): UpstreamTaskState[] {
  if (reply.status !== 200 || !Array.isArray(reply.json)) throw new Error(`list-by-condition answered HTTP ${reply.status} without a task list`)
  return reply.json.filter(isRecord).map(readMidjourneyTask)
}

/** Midjourney through Midjourney-Proxy and Midjourney-Proxy-Plus channels. */
export const midjourneyPlatform: TaskPlatform = {
  id: 'midjourney',
  label: 'Midjourney',
  channelTypes: ['midjourney'],
  // Clients of Midjourney-Proxy send the key as `mj-api-secret`; `Authorization: Bearer` works too.
  readKey: (request) => readHeaderValue(request.headers, 'mj-api-secret'),
  routes: [
    ...MIDJOURNEY_PREFIXES.flatMap(routesUnder),
    // Result images through the gateway: opened by browsers and Discord-style clients without a key; the unguessable task id is the secret.
    { kind: 'content', method: 'GET', path: '/mj/image/:id', requiresKey: false },
  ],
  prices: midjourneyPrices,
  buildSubmit: buildMidjourneySubmit,
  readSubmitReply: (reply, submission) => readMidjourneySubmitReply(reply, submission.action),
  renderSubmitted: renderMidjourneySubmitted,
  polling: {
    batchSize: POLL_BATCH,
    buildRequest: (channel, ids) => midjourneyRequest(channel, 'POST', '/mj/task/list-by-condition', { ids }),
    readReply: readPollReply,
  },
  renderError: renderMidjourneyError,
}
