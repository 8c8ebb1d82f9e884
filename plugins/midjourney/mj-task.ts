import {
  GatewayError,
  isRecord,
  type TaskResult,
  type TaskStatus,
  type TaskSubmitOutcome,
  type TaskView,
  type UpstreamReply,
  type UpstreamTaskState,
} from '@hanggent/plugin-sdk'

// Midjourney-Proxy's wire shapes: the submit answer `{code, description, result, properties}` (code 1
// submitted, 21 already exists, 22 queued, 23 queue full, 24 banned prompt; 3 not found, 4 validation
// error, 9 failure), and the task object (`id, action, status, progress "45%", imageUrl, failReason,
// buttons, submitTime, startTime, finishTime, properties`). see github.com/novicezk/midjourney-proxy
// docs/api.md (ReturnCode, Task)

/** Midjourney-Proxy's return codes. */
export const MJ_CODE = { submitted: 1, notFound: 3, validation: 4, failure: 9, existed: 21, queued: 22, queueFull: 23, bannedPrompt: 24 } as const

/** The gateway status of an upstream status; MODAL (waiting for a modal submit) counts as submitted, CANCEL as failed. */
export function statusOfMidjourney(status: unknown): TaskStatus {
  switch (status) {
    case 'NOT_START':
      return 'NOT_START'
    case 'SUBMITTED':
    case 'MODAL':
      return 'SUBMITTED'
    case 'IN_PROGRESS':
      return 'IN_PROGRESS'
    case 'SUCCESS':
      return 'SUCCESS'
    default:
      return 'FAILURE'
  }
}

/** `"45%"` (or 45) as 45; anything else as 0. */
export function progressOfMidjourney(progress: unknown): number {
  const value = typeof progress === 'number' ? progress : Number.parseFloat(String(progress ?? '').replace('%', ''))
  return Number.isFinite(value) ? Math.max(0, Math.min(100, Math.round(value))) : 0
}

/** An upstream task object as the gateway's state: status, progress, the grid image, buttons and properties. */
export function readMidjourneyTask(task: Record<string, unknown>): UpstreamTaskState {
  const status = statusOfMidjourney(task.status)
  const extra: Record<string, unknown> = {}
  for (const field of ['buttons', 'properties', 'promptEn', 'description'] as const)
    if (task[field] !== undefined && task[field] !== null) extra[field] = task[field]
  const result: TaskResult = { extra }
  if (typeof task.imageUrl === 'string' && task.imageUrl !== '') result.files = [{ kind: 'image', url: task.imageUrl }]
  const failReason = typeof task.failReason === 'string' && task.failReason !== '' ? task.failReason : undefined
  return {
    upstreamTaskId: String(task.id ?? ''),
    // A fail reason before 100% is a failure too (New API's rule).
    status: failReason && status !== 'SUCCESS' ? 'FAILURE' : status,
    progress: progressOfMidjourney(task.progress),
    ...(failReason ? { failReason } : {}),
    result,
  }
}

/** The client-visible error of a refused submit, keeping the upstream's code and description. */
function refusal(code: number, description: string, status: number): GatewayError {
  return new GatewayError(status, status === 429 ? 'rate_limited' : 'upstream_error', description || `Midjourney-Proxy refused the task (code ${code})`, {
    upstreamBody: JSON.stringify({ code, description }),
  })
}

/** Reads a submit answer: 1, 21 and 22 are accepted; 23 (queue full) may succeed on another channel; the rest are refusals. */
export function readMidjourneySubmitReply(reply: UpstreamReply, action: string): TaskSubmitOutcome {
  const body = reply.json
  if (!isRecord(body) || typeof body.code !== 'number') {
    const error = new GatewayError(502, 'bad_upstream_response', `Midjourney-Proxy answered HTTP ${reply.status} without a submit result`)
    return { accepted: false, error, retryable: true }
  }
  const { code } = body
  const description = typeof body.description === 'string' ? body.description : ''
  if (code === MJ_CODE.submitted || code === MJ_CODE.existed || code === MJ_CODE.queued) {
    // An upload is done at once: its result is the list of uploaded image URLs, there is nothing to poll.
    if (action === 'UPLOAD') {
      const urls = Array.isArray(body.result) ? body.result.filter((url): url is string => typeof url === 'string') : []
      return {
        accepted: true,
        upstreamTaskId: '',
        state: { status: 'SUCCESS', progress: 100, result: { files: urls.map((url) => ({ kind: 'image' as const, url })) } },
        note: { code, description, uploaded: urls },
      }
    }
    if (typeof body.result !== 'string' && typeof body.result !== 'number')
      return { accepted: false, error: new GatewayError(502, 'bad_upstream_response', 'Midjourney-Proxy accepted the task without a task id'), retryable: true }
    return { accepted: true, upstreamTaskId: String(body.result), note: { code, description } }
  }
  if (code === MJ_CODE.queueFull) return { accepted: false, error: refusal(code, description, 429), retryable: true }
  if (code === MJ_CODE.bannedPrompt || code === MJ_CODE.validation) return { accepted: false, error: refusal(code, description, 400), retryable: false }
  if (code === MJ_CODE.notFound) return { accepted: false, error: refusal(code, description, 503), retryable: true }
  return { accepted: false, error: refusal(code, description, 502), retryable: true }
}

/** The MJ code a gateway error is shown with. */
function codeOfError(error: GatewayError): number {
  if (error.options.upstreamBody) {
    try {
      const upstream = JSON.parse(error.options.upstreamBody) as unknown
      if (isRecord(upstream) && typeof upstream.code === 'number') return upstream.code
    } catch {
      // not the upstream's JSON: fall through to the status
    }
  }
  if (error.status === 404) return MJ_CODE.notFound
  if (error.status >= 400 && error.status < 500) return MJ_CODE.validation
  return MJ_CODE.failure
}

/** A gateway error in Midjourney-Proxy's shape, with HTTP status kept (New API answers 400 for refusals). */
export function renderMidjourneyError(error: GatewayError): { status: number; body: unknown } {
  return {
    status: error.status,
    body: { code: codeOfError(error), description: error.message, result: null, properties: {}, ...(error.param ? { param: error.param } : {}) },
  }
}

/** The submit answer: the upstream's code (1, 21 or 22) and description, with the gateway's task id as `result`. */
export function renderMidjourneySubmitted(task: TaskView): unknown {
  const code = typeof task.note?.code === 'number' ? task.note.code : MJ_CODE.submitted
  const description = typeof task.note?.description === 'string' && task.note.description !== '' ? task.note.description : 'Submit success'
  if (task.action === 'UPLOAD') return { code, description, result: task.note?.uploaded ?? [], properties: {} }
  return { code, description, result: task.id, properties: {} }
}

/** A task object in Midjourney-Proxy's shape, with the gateway's id and image link. */
export function renderMidjourneyTask(task: TaskView): Record<string, unknown> {
  const extra = task.result?.extra ?? {}
  return {
    id: task.id,
    action: task.action,
    customId: '',
    botType: 'MID_JOURNEY',
    prompt: task.prompt ?? '',
    promptEn: typeof extra.promptEn === 'string' ? extra.promptEn : (task.prompt ?? ''),
    description: typeof extra.description === 'string' ? extra.description : '',
    state: '',
    mode: task.mode ?? 'fast',
    submitTime: task.submitTime,
    startTime: task.startTime ?? 0,
    finishTime: task.finishTime ?? 0,
    imageUrl: task.result?.files?.[0]?.url ?? '',
    status: task.status,
    progress: `${task.progress}%`,
    failReason: task.failReason ?? '',
    buttons: Array.isArray(extra.buttons) ? extra.buttons : [],
    properties: isRecord(extra.properties) ? extra.properties : {},
  }
}
