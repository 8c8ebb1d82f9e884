import {
  GatewayError,
  isRecord,
  type ChannelContext,
  type InboundRequest,
  type TaskParent,
  type TaskSubmission,
  type UpstreamRequest,
} from '@hanggent/plugin-sdk'
import { midjourneyRequest } from './mj-transport.ts'

// Reading Midjourney-Proxy submit requests (camelCase JSON: prompt, base64Array, base64, taskId, action,
// index, customId, content, maskBase64, state, botType) into task submissions, and building the upstream
// submit. see github.com/novicezk/midjourney-proxy docs/api.md and midjourney-proxy-plus's /mj/submit/action

/** The submit routes, by the last path segment. */
export type MidjourneySubmitKind = 'imagine' | 'change' | 'simple-change' | 'blend' | 'describe' | 'action' | 'modal' | 'shorten' | 'upload-discord-images'

/** Every submit route. */
export const MIDJOURNEY_SUBMIT_KINDS: MidjourneySubmitKind[] = [
  'imagine',
  'change',
  'simple-change',
  'blend',
  'describe',
  'action',
  'modal',
  'shorten',
  'upload-discord-images',
]

/** Fields New API strips unless the operator turns them on: callbacks would reach the client's URL from the upstream. */
const STRIPPED_FIELDS = ['notifyHook', 'accountFilter']

const DATA_URI = /^data:image\/[a-z0-9.+-]+;base64,([A-Za-z0-9+/]+={0,2})$/i

/** A 400 in the gateway's terms; the platform renders it as MJ code 4 (validation error). */
function invalid(message: string, param: string): GatewayError {
  return new GatewayError(400, 'invalid_request', message, { param })
}

/** A required non-empty string field. */
function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field]
  if (typeof value !== 'string' || value.trim() === '') throw new GatewayError(400, 'missing_required_parameter', `${field} is required`, { param: field })
  return value
}

/** Checks that a value is a base64 data URI of an image (`data:image/png;base64,…`). */
function checkImage(value: unknown, param: string): void {
  const match = typeof value === 'string' ? DATA_URI.exec(value) : null
  if (!match || match[1]!.length % 4 !== 0) throw invalid(`${param} must be a base64 data URI of an image (data:image/png;base64,…)`, param)
}

/** Checks `base64Array`: required with at least `min` images, or absent when `min` is 0. */
function checkImages(body: Record<string, unknown>, min: number, max: number): void {
  const images = body.base64Array
  if (images === undefined && min === 0) return
  if (!Array.isArray(images) || images.length < min || images.length > max)
    throw invalid(min === 0 ? `base64Array must be an array of at most ${max} images` : `base64Array must hold ${min} to ${max} images`, 'base64Array')
  images.forEach((image, index) => checkImage(image, `base64Array[${index}]`))
}

/** The action a Plus `customId` button stands for (`MJ::JOB::upsample::1::<hash>` → UPSCALE). */
export function actionOfCustomId(customId: string): string {
  const rules: Array<[RegExp, string]> = [
    [/^MJ::JOB::upsample/, 'UPSCALE'],
    [/^MJ::JOB::low_variation/, 'LOW_VARIATION'],
    [/^MJ::JOB::high_variation/, 'HIGH_VARIATION'],
    [/^MJ::JOB::variation/, 'VARIATION'],
    [/^MJ::JOB::reroll/, 'REROLL'],
    [/^MJ::JOB::pan_/, 'PAN'],
    [/^MJ::Outpaint::/, 'ZOOM'],
    [/^MJ::CustomZoom::/, 'CUSTOM_ZOOM'],
    [/^MJ::Inpaint::/, 'INPAINT'],
  ]
  const found = rules.find(([pattern]) => pattern.test(customId))
  if (!found) throw invalid(`customId "${customId}" is not a Midjourney button this gateway knows`, 'customId')
  return found[1]
}

/** The `simple-change` content `"<taskId> U1"` as a change: task, action and index. */
function readSimpleChange(content: string): { taskId: string; action: string; index?: number } {
  const match = /^\s*(\S+)\s+(U|V)([1-4])\s*$/i.exec(content) ?? /^\s*(\S+)\s+(R)\s*$/i.exec(content)
  if (!match) throw invalid('content must be "<taskId> U1..U4", "<taskId> V1..V4" or "<taskId> R"', 'content')
  const letter = match[2]!.toUpperCase()
  if (letter === 'R') return { taskId: match[1]!, action: 'REROLL' }
  return { taskId: match[1]!, action: letter === 'U' ? 'UPSCALE' : 'VARIATION', index: Number(match[3]) }
}

/** The submission of a `change` request: `{taskId, action: UPSCALE|VARIATION|REROLL, index}`. */
function readChange(body: Record<string, unknown>): { taskId: string; action: string; index?: number } {
  const taskId = requiredString(body, 'taskId')
  const action = requiredString(body, 'action').toUpperCase()
  if (!['UPSCALE', 'VARIATION', 'REROLL'].includes(action)) throw invalid(`action "${action}" is not UPSCALE, VARIATION or REROLL`, 'action')
  if (action === 'REROLL') return { taskId, action }
  const index = body.index
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 1 || index > 4) throw invalid('index must be 1, 2, 3 or 4', 'index')
  return { taskId, action, index }
}

/** The body forwarded upstream: the client's, minus the fields the gateway strips. */
function forwarded(body: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...body }
  for (const field of STRIPPED_FIELDS) delete copy[field]
  return copy
}

/** A submission for an action. */
function submission(action: string, mode: string | undefined, body: Record<string, unknown>, extra: Partial<TaskSubmission> = {}): TaskSubmission {
  return { action, model: `mj_${action.toLowerCase()}`, ...(mode ? { mode } : {}), body, ...extra }
}

/** Reads one submit request; throws GatewayError 400 on bad input. */
export function readMidjourneySubmission(kind: MidjourneySubmitKind, mode: string | undefined, body: Record<string, unknown>): TaskSubmission {
  const sent = forwarded(body)
  switch (kind) {
    case 'imagine':
      checkImages(body, 0, 5)
      return submission('IMAGINE', mode, sent, { prompt: requiredString(body, 'prompt') })
    case 'shorten':
      return submission('SHORTEN', mode, sent, { prompt: requiredString(body, 'prompt') })
    case 'blend':
      checkImages(body, 2, 5)
      return submission('BLEND', mode, sent)
    case 'describe':
      checkImage(body.base64, 'base64')
      return submission('DESCRIBE', mode, sent)
    case 'upload-discord-images':
      checkImages(body, 1, 5)
      return submission('UPLOAD', mode, sent)
    case 'change':
    case 'simple-change': {
      const change = kind === 'change' ? readChange(body) : readSimpleChange(requiredString(body, 'content'))
      const upstream: Record<string, unknown> = { action: change.action, taskId: change.taskId, ...(change.index ? { index: change.index } : {}) }
      if (typeof body.state === 'string') upstream.state = body.state
      return submission(change.action, mode, upstream, { parentTaskId: change.taskId })
    }
    case 'action': {
      const taskId = requiredString(body, 'taskId')
      const action = actionOfCustomId(requiredString(body, 'customId'))
      return submission(action, mode, sent, { parentTaskId: taskId, ...(action === 'INPAINT' || action === 'CUSTOM_ZOOM' ? { charged: false } : {}) })
    }
    case 'modal': {
      if (body.maskBase64 !== undefined && body.maskBase64 !== '') checkImage(body.maskBase64, 'maskBase64')
      const prompt = typeof body.prompt === 'string' && body.prompt !== '' ? { prompt: body.prompt } : {}
      return submission('MODAL', mode, sent, { parentTaskId: requiredString(body, 'taskId'), ...prompt })
    }
  }
}

/** The kind of a submit route from its path (`/mj-fast/mj/submit/imagine` → imagine). */
export function kindOfPath(path: string): MidjourneySubmitKind {
  return path.slice(path.lastIndexOf('/') + 1) as MidjourneySubmitKind
}

/** The customIds of a parent task's buttons. */
function buttonIds(parent: TaskParent): string[] {
  const buttons = parent.result?.extra?.buttons
  return Array.isArray(buttons) ? buttons.flatMap((button) => (isRecord(button) && typeof button.customId === 'string' ? [button.customId] : [])) : []
}

/** The upstream path of an action: `customId` buttons go to Plus's `/submit/action`, classic U/V/R to `/submit/change`. */
function upstreamPath(submission: TaskSubmission): string {
  switch (submission.action) {
    case 'IMAGINE':
      return '/mj/submit/imagine'
    case 'DESCRIBE':
      return '/mj/submit/describe'
    case 'BLEND':
      return '/mj/submit/blend'
    case 'SHORTEN':
      return '/mj/submit/shorten'
    case 'MODAL':
      return '/mj/submit/modal'
    case 'UPLOAD':
      return '/mj/submit/upload-discord-images'
    default:
      return typeof submission.body.customId === 'string' ? '/mj/submit/action' : '/mj/submit/change'
  }
}

/**
 * The upstream submit; a follow-up names the parent's upstream id. Refuses (400) a `customId` that is not
 * one of the parent's buttons and a U/V/R or button action on a parent that has not succeeded.
 */
export function buildMidjourneySubmit(channel: ChannelContext, submission: TaskSubmission, parent: TaskParent | undefined): UpstreamRequest {
  const body: Record<string, unknown> = { ...submission.body }
  if (parent) {
    if (submission.action !== 'MODAL' && parent.status !== 'SUCCESS')
      throw invalid(`task ${parent.id} has not succeeded (status ${parent.status}); its buttons cannot be used yet`, 'taskId')
    if (typeof body.customId === 'string' && !buttonIds(parent).includes(body.customId))
      throw invalid(`customId "${body.customId}" is not one of task ${parent.id}'s buttons`, 'customId')
    body.taskId = parent.upstreamTaskId
  }
  return midjourneyRequest(channel, 'POST', upstreamPath(submission), body)
}

/** The request's mode from its path prefix (`/mj-fast/…` → fast); undefined for plain `/mj/…`. */
export function modeOfRequest(request: InboundRequest): string | undefined {
  return /^\/mj-(fast|turbo|relax)\//.exec(request.url.pathname)?.[1]
}
