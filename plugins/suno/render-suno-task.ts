import { isRecord, type GatewayError, type TaskView } from '@hanggent/plugin-sdk'
import type { StoredSunoClip } from './convert-suno-task.ts'

// The gateway's task record in New API's Suno wire shape: the `{code, message, data}` envelope and the
// TaskDto New API answers `/suno/fetch` with. Only the gateway's ids appear (no upstream task id, no
// channel, no user); clip URLs are the result files the gateway hands out.
// see New API dto/task.go (TaskResponse, TaskDto) and dto/suno.go (SunoDataResponse song fields)

/** New API's envelope around every Suno answer. */
export function sunoEnvelope(data: unknown): { code: string; message: string; data: unknown } {
  return { code: 'success', message: '', data }
}

/** Seconds since the epoch from the gateway's milliseconds (New API's Suno times are Unix seconds); 0 when unset. */
const seconds = (ms: number | undefined) => (ms === undefined ? 0 : Math.floor(ms / 1000))

/** A stored clip as Suno's song object, with the client-facing file URLs. */
function renderClip(clip: StoredSunoClip, task: TaskView): Record<string, unknown> {
  const files = task.result?.files ?? []
  const url = (index: number | undefined) => (index === undefined ? '' : (files[index]?.url ?? ''))
  return {
    id: clip.id,
    title: clip.title ?? '',
    status: clip.status ?? '',
    model_name: clip.modelName ?? '',
    audio_url: url(clip.files.audio),
    video_url: url(clip.files.video),
    image_url: url(clip.files.image),
    image_large_url: url(clip.files.imageLarge),
    metadata: clip.metadata ?? {},
  }
}

/** The task's `data`: the songs of a music task, the lyrics object of a lyrics task, else null. */
function renderData(task: TaskView): unknown {
  const extra = task.result?.extra
  if (!isRecord(extra)) return task.action === 'MUSIC' ? [] : null
  if (Array.isArray(extra.clips)) return (extra.clips as StoredSunoClip[]).map((clip) => renderClip(clip, task))
  if (isRecord(extra.lyrics)) return { id: task.id, status: task.status === 'SUCCESS' ? 'complete' : '', ...extra.lyrics }
  return task.action === 'MUSIC' ? [] : null
}

/** One task as New API's TaskDto (the fields a client may see). */
export function renderSunoTask(task: TaskView): Record<string, unknown> {
  return {
    task_id: task.id,
    platform: 'suno',
    action: task.action,
    status: task.status,
    fail_reason: task.failReason ?? '',
    submit_time: seconds(task.submitTime),
    start_time: seconds(task.startTime),
    finish_time: seconds(task.finishTime),
    progress: `${task.progress}%`,
    data: renderData(task),
  }
}

/** A gateway error in New API's Suno error shape: `{code, message, data: null}` with the error's HTTP status. */
export function renderSunoError(error: GatewayError): { status: number; body: unknown } {
  return { status: error.status, body: { code: error.code, message: error.message, data: null } }
}
