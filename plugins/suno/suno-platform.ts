import { Value } from '@sinclair/typebox/value'
import type { TSchema } from '@sinclair/typebox'
import {
  GatewayError,
  isRecord,
  type ChannelContext,
  type InboundRequest,
  type TaskParent,
  type TaskPlatform,
  type TaskSubmission,
  type TaskSubmitOutcome,
  type UpstreamReply,
  type UpstreamRequest,
  type UpstreamTaskState,
} from '@hanggent/plugin-sdk'
import { SunoFetchRequest, SunoLyricsRequest, SunoMusicRequest, SUNO_FETCH_MAX_IDS } from '../../schemas/suno.ts'
import { convertSunoTaskRow } from './convert-suno-task.ts'
import { sunoPrices } from './pricing.ts'
import { renderSunoError, renderSunoTask, sunoEnvelope } from './render-suno-task.ts'
import { sunoRequest } from './suno-transport.ts'

// The `suno` task platform: New API's Suno routes (`/suno/submit/{music|lyrics}`, `/suno/fetch`,
// `/suno/fetch/{id}`) relayed to Suno-API upstreams, priced per action (`suno_music`, `suno_lyrics`).
// see New API relay/channel/task/suno (submit, fetch) and github.com/Suno-API/Suno-API docs/swagger.yaml

const actions: Record<string, { action: 'MUSIC' | 'LYRICS'; model: string; schema: TSchema }> = {
  music: { action: 'MUSIC', model: 'suno_music', schema: SunoMusicRequest },
  lyrics: { action: 'LYRICS', model: 'suno_lyrics', schema: SunoLyricsRequest },
}

/** The first schema error as a 400 naming the field. */
function checkBody(schema: TSchema, body: Record<string, unknown>): void {
  const first = Value.Errors(schema, body).First()
  if (!first) return
  const field = first.path.replace(/^\//, '').replaceAll('/', '.') || 'body'
  throw new GatewayError(400, 'invalid_request', `${field}: ${first.message}`, { param: field })
}

const nonEmpty = (value: unknown) => typeof value === 'string' && value.trim() !== ''

/** What a `/suno/submit/:action` request asks for; throws 400 on an unknown action or a missing prompt. */
export function readSunoSubmission(body: Record<string, unknown>, request: InboundRequest): TaskSubmission {
  const name = (request.params.action ?? '').toLowerCase()
  const spec = actions[name]
  if (!spec) throw new GatewayError(400, 'invalid_request', `unknown Suno action "${request.params.action ?? ''}": use music or lyrics`, { param: 'action' })
  checkBody(spec.schema, body)
  if (spec.action === 'MUSIC' && !nonEmpty(body.prompt) && !nonEmpty(body.gpt_description_prompt))
    throw new GatewayError(400, 'missing_required_parameter', 'prompt or gpt_description_prompt is required', { param: 'prompt' })
  const prompt = nonEmpty(body.prompt) ? String(body.prompt) : nonEmpty(body.gpt_description_prompt) ? String(body.gpt_description_prompt) : undefined
  const submission: TaskSubmission = { action: spec.action, model: spec.model, body }
  if (prompt !== undefined) submission.prompt = prompt
  // A continuation names the task whose clip it continues, by the gateway's id.
  if (spec.action === 'MUSIC' && nonEmpty(body.task_id)) submission.parentTaskId = String(body.task_id)
  return submission
}

/** The upstream submit, the parent's upstream id put in place of the gateway's. */
export function buildSunoSubmit(channel: ChannelContext, submission: TaskSubmission, parent: TaskParent | undefined): UpstreamRequest {
  const body: Record<string, unknown> = { ...submission.body }
  if (parent) body.task_id = parent.upstreamTaskId
  return sunoRequest(channel, 'POST', `/suno/submit/${submission.action.toLowerCase()}`, body)
}

/** Suno-API's submit answer: `{code: "success", data: "<task id>"}`, or an error envelope with its HTTP status. */
export function readSunoSubmitReply(reply: UpstreamReply): TaskSubmitOutcome {
  const body = reply.json
  if (!isRecord(body) || typeof body.code !== 'string') throw new Error(`Suno-API answered ${reply.status} without its {code, message, data} envelope`)
  if (reply.status < 300 && body.code === 'success' && typeof body.data === 'string' && body.data !== '') return { accepted: true, upstreamTaskId: body.data }
  const message = typeof body.message === 'string' && body.message !== '' ? body.message : `Suno-API refused the task (${body.code})`
  const clientError = reply.status >= 400 && reply.status < 500 && reply.status !== 401 && reply.status !== 403 && reply.status !== 429
  if (clientError) return { accepted: false, retryable: false, error: new GatewayError(400, 'invalid_request', message) }
  return { accepted: false, retryable: true, error: new GatewayError(502, 'upstream_error', message) }
}

/** Suno-API's batch fetch answer as task states; throws when it is not the `success` envelope with rows. */
export function readSunoFetchReply(reply: UpstreamReply): UpstreamTaskState[] {
  const body = reply.json
  if (reply.status >= 300 || !isRecord(body) || body.code !== 'success' || !Array.isArray(body.data))
    throw new Error(`Suno-API fetch answered ${reply.status}: ${reply.text.slice(0, 200)}`)
  return body.data.flatMap((row) => {
    const state = isRecord(row) ? convertSunoTaskRow(row) : undefined
    return state ? [state] : []
  })
}

/** The ids a `POST /suno/fetch` asks for. */
export function readSunoFetchIds(body: Record<string, unknown>): string[] {
  checkBody(SunoFetchRequest, body)
  return (body.ids as string[]).slice(0, SUNO_FETCH_MAX_IDS)
}

/** The Suno task platform. */
export const sunoPlatform: TaskPlatform = {
  id: 'suno',
  label: 'Suno',
  channelTypes: ['suno'],
  routes: [
    { kind: 'submit', method: 'POST', path: '/suno/submit/:action', accepts: ['json'], maxBodyBytes: 1024 * 1024, readSubmission: readSunoSubmission },
    { kind: 'fetch', method: 'GET', path: '/suno/fetch/:id', render: (task) => sunoEnvelope(renderSunoTask(task)) },
    { kind: 'list', method: 'POST', path: '/suno/fetch', readIds: readSunoFetchIds, render: (tasks) => sunoEnvelope(tasks.map(renderSunoTask)) },
    // Clip files through the gateway (`?index=n` picks one), so Suno's CDN hosts stay hidden; like MJ images they are
    // opened by audio players that send no key, so the unguessable task id is the secret.
    { kind: 'content', method: 'GET', path: '/suno/files/:id', requiresKey: false },
  ],
  prices: sunoPrices,
  buildSubmit: buildSunoSubmit,
  readSubmitReply: readSunoSubmitReply,
  renderSubmitted: (task) => sunoEnvelope(task.id),
  polling: {
    batchSize: SUNO_FETCH_MAX_IDS,
    buildRequest: (channel, ids) => sunoRequest(channel, 'POST', '/suno/fetch', { ids, action: '' }),
    readReply: readSunoFetchReply,
  },
  renderError: renderSunoError,
}
