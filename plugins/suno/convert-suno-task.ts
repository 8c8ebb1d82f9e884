import { isRecord, type TaskFileKind, type TaskResult, type TaskResultFile, type UpstreamTaskState } from '@hanggent/plugin-sdk'
import { mapSunoStatus, sunoFailReason } from './map-suno-status.ts'

// Suno-API task rows (POST /suno/fetch) into the gateway's task state: clips become result files (audio,
// video, image), the rest of each clip is kept as data without its URLs, so the only URLs a client ever
// sees are the result files the gateway hands out (maybe through its own proxy).
// see github.com/Suno-API/Suno-API docs/swagger.yaml (po.Task) and entity/po/task_data.go (SunoSong, SunoLyrics)

/** A clip as the gateway keeps it: its facts, and the indexes of its files in TaskResult.files. */
export interface StoredSunoClip {
  /** Suno's clip id. */
  id: string
  /** Suno's clip status (`streaming`, `complete`, `error`, …). */
  status?: string
  /** The song title. */
  title?: string
  /** The Suno model that made it, e.g. `chirp-v3-5`. */
  modelName?: string
  /** Style tags, prompt, duration and error facts from the clip's metadata. */
  metadata?: Record<string, unknown>
  /** Indexes into TaskResult.files, by kind. */
  files: Partial<Record<'audio' | 'video' | 'image' | 'imageLarge', number>>
}

const urlFields: Array<[field: string, key: keyof StoredSunoClip['files'], kind: TaskFileKind]> = [
  ['audio_url', 'audio', 'audio'],
  ['video_url', 'video', 'video'],
  ['image_url', 'image', 'image'],
  ['image_large_url', 'imageLarge', 'image'],
]

const keptMetadata = ['tags', 'prompt', 'gpt_description_prompt', 'duration', 'type', 'error_type', 'error_message']

/** Clips with their files, for a music task's data array. */
export function convertSunoClips(clips: unknown[]): TaskResult {
  const files: TaskResultFile[] = []
  const stored: StoredSunoClip[] = []
  for (const clip of clips) {
    if (!isRecord(clip) || typeof clip.id !== 'string') continue
    const entry: StoredSunoClip = { id: clip.id, files: {} }
    if (typeof clip.status === 'string') entry.status = clip.status
    if (typeof clip.title === 'string') entry.title = clip.title
    if (typeof clip.model_name === 'string') entry.modelName = clip.model_name
    if (isRecord(clip.metadata)) {
      const metadata: Record<string, unknown> = {}
      for (const name of keptMetadata) if (clip.metadata[name] !== undefined) metadata[name] = clip.metadata[name]
      entry.metadata = metadata
    }
    // Only finished files are results: while a clip streams, its audio URL is a live stream that ends.
    if (clip.status === 'complete') {
      for (const [field, key, kind] of urlFields) {
        const url = clip[field]
        if (typeof url !== 'string' || url === '') continue
        entry.files[key] = files.length
        files.push({ kind, url })
      }
    }
    stored.push(entry)
  }
  return { files, extra: { clips: stored } }
}

/** A lyrics task's data (`{id, status, title, text}`). */
export function convertSunoLyrics(data: unknown): TaskResult {
  if (!isRecord(data)) return { extra: {} }
  return { extra: { lyrics: { title: typeof data.title === 'string' ? data.title : '', text: typeof data.text === 'string' ? data.text : '' } } }
}

/** One Suno-API task row as the gateway's task state. */
export function convertSunoTaskRow(row: Record<string, unknown>): UpstreamTaskState | undefined {
  if (typeof row.task_id !== 'string' || typeof row.status !== 'string') return undefined
  const reason = typeof row.fail_reason === 'string' && row.fail_reason !== '' ? row.fail_reason : undefined
  const { status, progress } = mapSunoStatus(row.status, reason)
  const state: UpstreamTaskState = { upstreamTaskId: row.task_id, status, progress }
  if (status === 'FAILURE') state.failReason = sunoFailReason(row.status, reason)
  const action = typeof row.action === 'string' ? row.action.toUpperCase() : ''
  if (Array.isArray(row.data)) state.result = convertSunoClips(row.data)
  else if (action === 'LYRICS' || isRecord(row.data)) state.result = convertSunoLyrics(row.data)
  return state
}
