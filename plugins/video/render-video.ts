import { isRecord, type TaskStatus, type TaskView } from '@hanggent/plugin-sdk'

// The gateway's video task in the two wire shapes clients read: OpenAI's Video object (`/v1/videos`) and
// New API's task envelope (`/v1/video/generations/{id}`), whichever provider made it. Only the gateway's
// id appears; the video itself is reached through `/v1/videos/{id}/content`.
// see https://platform.openai.com/docs/api-reference/videos/object and New API dto TaskDto / TaskResponse

const openAIStatus: Record<TaskStatus, string> = {
  NOT_START: 'queued',
  SUBMITTED: 'queued',
  IN_PROGRESS: 'in_progress',
  SUCCESS: 'completed',
  FAILURE: 'failed',
}

const seconds = (ms: number | undefined) => (ms === undefined ? null : Math.floor(ms / 1000))

/** A string fact from the task's submit note or result extra (seconds, size). */
function fact(task: TaskView, name: string): string {
  const extra = task.result?.extra
  const fromResult = isRecord(extra) && typeof extra[name] === 'string' && extra[name] !== '' ? extra[name] : undefined
  const fromNote = task.note && typeof task.note[name] === 'string' ? task.note[name] : undefined
  return String(fromResult ?? fromNote ?? '')
}

/** The task as OpenAI's Video object. */
export function renderOpenAIVideo(task: TaskView): Record<string, unknown> {
  const failed = task.status === 'FAILURE'
  return {
    id: task.id,
    object: 'video',
    model: task.model,
    status: openAIStatus[task.status],
    progress: task.progress,
    created_at: seconds(task.submitTime),
    completed_at: task.status === 'SUCCESS' ? seconds(task.finishTime) : null,
    expires_at: null,
    error: failed ? { code: 'video_generation_failed', message: task.failReason ?? 'the video could not be generated' } : null,
    prompt: task.prompt ?? null,
    remixed_from_video_id: null,
    seconds: fact(task, 'seconds'),
    size: fact(task, 'size'),
  }
}

/** The submit answer on both routes: the Video object, plus `task_id` for clients of New API's unified route. */
export function renderVideoSubmitted(task: TaskView): Record<string, unknown> {
  return { ...renderOpenAIVideo(task), task_id: task.id }
}

/** Where the finished video is: the file URL the gateway hands out, else its own content route. */
function resultUrl(task: TaskView): string {
  if (task.status !== 'SUCCESS') return ''
  const url = task.result?.files?.[0]?.url ?? ''
  return /^https?:\/\//.test(url) ? url : `/v1/videos/${encodeURIComponent(task.id)}/content`
}

/** The task in New API's `{code, message, data}` envelope (`/v1/video/generations/{id}`). */
export function renderVideoGeneration(task: TaskView): Record<string, unknown> {
  return {
    code: 'success',
    message: '',
    data: {
      task_id: task.id,
      platform: 'video',
      action: task.action,
      model: task.model,
      status: task.status,
      fail_reason: task.failReason ?? '',
      result_url: resultUrl(task),
      submit_time: seconds(task.submitTime) ?? 0,
      start_time: seconds(task.startTime) ?? 0,
      finish_time: seconds(task.finishTime) ?? 0,
      progress: `${task.progress}%`,
      seconds: fact(task, 'seconds'),
      size: fact(task, 'size'),
    },
  }
}
