import type { Server } from 'bun'
import { taskStepper } from './task-stepper.ts'

// A fake Suno-API (github.com/Suno-API/Suno-API) on 127.0.0.1, the upstream New API's Suno channel
// (type 36) talks to: `POST /suno/submit/music`, `POST /suno/submit/lyrics`, `POST /suno/fetch`
// (batch by ids) and `GET /suno/fetch/{id}`, Bearer SECRET_TOKEN auth, every answer in its
// `{code, message, data}` envelope (`code: "success"`; errors `invalid_request` / `internal_error`
// with the HTTP status). A music task runs SUBMITTED → QUEUED → IN_PROGRESS (clips "streaming") →
// SUCCESS (clips "complete", with audio, video and image URLs served by the fake itself) or FAILURE
// (clips "error", `fail_reason` from the clip's error message); each fetch of a task moves it one step
// unless a test drives it by hand. Lyrics are answered complete at submit, as Suno-API waits for them.
// see Suno-API docs/swagger.yaml (routes, SubmitGenSongReq, FetchReq, po.Task), entity/po/task_data.go
// (SunoSong, SunoLyrics), api.go (readerStatus: submitted/queued/streaming/complete/error).

type Json = Record<string, unknown>

/** The task states Suno-API reports (po.TaskStatus). */
export type FakeSunoStatus = 'NOT_START' | 'SUBMITTED' | 'QUEUED' | 'IN_PROGRESS' | 'SUCCESS' | 'FAILURE'

/** A task as the fake keeps it; `data` is what `/suno/fetch` returns under `data`. */
export interface FakeSunoTask {
  /** Suno-API's row id. */
  rowId: number
  /** The task id Suno-API hands out (`data` of the submit answer). */
  taskId: string
  action: 'MUSIC' | 'LYRICS'
  status: FakeSunoStatus
  failReason: string
  submitTime: number
  startTime: number
  finishTime: number
  /** The request body the task was submitted with. */
  request: Json
  /** How the task ends when it is advanced past IN_PROGRESS. */
  outcome: FakeSunoOutcome
  /** Clips (music) or the lyrics object. */
  data: Json[] | Json
}

/** How a music task ends: its clips complete, or they fail with this message. */
export type FakeSunoOutcome = { kind: 'complete' } | { kind: 'error'; message: string }

/** A request the fake received. */
export interface FakeSunoRequest {
  method: string
  path: string
  headers: Record<string, string>
  body: Json | undefined
}

/** Options of `startFakeSuno`. */
export interface FakeSunoOptions {
  /** The SECRET_TOKEN clients must send as a Bearer token; any key when absent. */
  key?: string
  /** Whether each fetch moves a task one step (default true). */
  autoAdvance?: boolean
}

/** A running fake Suno-API. */
export interface FakeSuno {
  /** Base URL, as a channel's base URL. */
  readonly url: string
  /** Every request received, oldest first. */
  readonly requests: FakeSunoRequest[]
  /** Tasks by task id. */
  readonly tasks: Map<string, FakeSunoTask>
  /** How the next submitted music task ends (default: complete). */
  setNextOutcome(outcome: FakeSunoOutcome): void
  /** The next submit answers this HTTP status and `{code, message, data: null}` instead of creating a task. */
  failNextSubmit(status: number, message: string): void
  /** Moves a task one step along its lifecycle. */
  advance(taskId: string): FakeSunoTask
  /** Moves a task to its end (SUCCESS or FAILURE per its outcome). */
  finish(taskId: string): FakeSunoTask
  /** The bytes the fake serves for a clip's file (`mp3`, `mp4` or `jpeg`). */
  fileBytes(clipId: string, extension: string): Uint8Array<ArrayBuffer>
  /** Forgets requests and tasks and restores the defaults. */
  reset(): void
  stop(): Promise<void>
}

const order: FakeSunoStatus[] = ['SUBMITTED', 'QUEUED', 'IN_PROGRESS']
const clipStatus: Record<FakeSunoStatus, string> = {
  NOT_START: 'submitted',
  SUBMITTED: 'submitted',
  QUEUED: 'queued',
  IN_PROGRESS: 'streaming',
  SUCCESS: 'complete',
  FAILURE: 'error',
}

function envelope(status: number, code: string, message: string, data: unknown): Response {
  return Response.json({ code, message, data }, { status })
}

/** Deterministic bytes standing in for a clip's file: the extension's magic number, then the clip id repeated. */
function fakeFile(clipId: string, extension: string): Uint8Array<ArrayBuffer> {
  const magic: Record<string, number[]> = { mp3: [0x49, 0x44, 0x33], mp4: [0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70], jpeg: [0xff, 0xd8, 0xff] }
  const head = magic[extension] ?? []
  const body = new TextEncoder().encode(`${clipId}.${extension};`.repeat(64))
  const bytes = new Uint8Array(head.length + body.length)
  bytes.set(head, 0)
  bytes.set(body, head.length)
  return bytes
}

/** Starts the fake on a free port. */
export function startFakeSuno(options: FakeSunoOptions = {}): FakeSuno {
  const requests: FakeSunoRequest[] = []
  const tasks = new Map<string, FakeSunoTask>()
  let nextOutcome: FakeSunoOutcome = { kind: 'complete' }
  let submitFailure: { status: number; message: string } | undefined
  let serial = 0
  let base = ''
  const now = () => Math.floor(Date.now() / 1000)
  const newId = () => crypto.randomUUID()

  function clip(id: string, task: FakeSunoTask): Json {
    const request = task.request
    const done = task.status === 'SUCCESS'
    const streaming = task.status === 'IN_PROGRESS'
    const failed = task.status === 'FAILURE'
    return {
      id,
      video_url: done ? `${base}/cdn/${id}.mp4` : '',
      audio_url: done ? `${base}/cdn/${id}.mp3` : streaming ? `${base}/stream/${id}` : '',
      image_url: done || streaming ? `${base}/cdn/image_${id}.jpeg` : null,
      image_large_url: done || streaming ? `${base}/cdn/image_large_${id}.jpeg` : null,
      is_video_pending: !done,
      major_model_version: 'v3',
      model_name: String(request.mv ?? 'chirp-v3-0'),
      is_liked: false,
      user_id: 'fake-user',
      display_name: 'Fake',
      handle: 'fake',
      is_handle_updated: false,
      is_trashed: false,
      reaction: null,
      created_at: new Date(task.submitTime * 1000).toISOString(),
      status: clipStatus[task.status],
      title: String(request.title ?? ''),
      play_count: 0,
      upvote_count: 0,
      is_public: false,
      metadata: {
        tags: String(request.tags ?? ''),
        prompt: String(request.prompt ?? ''),
        gpt_description_prompt: request.gpt_description_prompt ?? null,
        audio_prompt_id: null,
        history: null,
        concat_history: null,
        type: 'gen',
        duration: done ? 161.44 : null,
        refund_credits: failed ? true : null,
        stream: true,
        error_type: failed ? 'moderation' : null,
        error_message: failed && task.outcome.kind === 'error' ? task.outcome.message : null,
      },
    }
  }

  /** Rebuilds a music task's clips from its state (two clips per song, as Suno generates). */
  function refreshClips(task: FakeSunoTask): void {
    if (task.action !== 'MUSIC' || !Array.isArray(task.data)) return
    task.data = task.data.map((old) => clip(String(old.id), task))
  }

  function step(task: FakeSunoTask): void {
    const at = order.indexOf(task.status)
    if (at >= 0 && at < order.length - 1) {
      task.status = order[at + 1] as FakeSunoStatus
      if (task.status === 'IN_PROGRESS') task.startTime = now()
    } else {
      task.status = task.outcome.kind === 'complete' ? 'SUCCESS' : 'FAILURE'
      task.finishTime = now()
      if (task.outcome.kind === 'error') task.failReason = task.outcome.message
    }
    refreshClips(task)
  }
  const stepper = taskStepper({
    name: 'Suno task',
    tasks,
    autoAdvance: options.autoAdvance,
    ended: (task) => task.status === 'SUCCESS' || task.status === 'FAILURE',
    step,
  })

  function rowOf(task: FakeSunoTask): Json {
    return {
      id: task.rowId,
      created_at: new Date(task.submitTime * 1000).toISOString(),
      updated_at: new Date().toISOString(),
      task_id: task.taskId,
      action: task.action,
      status: task.status,
      fail_reason: task.failReason,
      submit_time: task.submitTime,
      start_time: task.startTime,
      finish_time: task.finishTime,
      search_item: '',
      data: task.data,
    }
  }

  function submit(action: string, body: Json | undefined): Response {
    if (submitFailure) {
      const failure = submitFailure
      submitFailure = undefined
      return envelope(failure.status, failure.status >= 500 ? 'internal_error' : 'invalid_request', failure.message, null)
    }
    if (!body) return envelope(400, 'invalid_request', 'invalid character in request body', null)
    const upper = action.toUpperCase()
    if (upper !== 'MUSIC' && upper !== 'LYRICS') return envelope(400, 'invalid_request', 'invalid action', null)
    const kind: FakeSunoTask['action'] = upper
    if (upper === 'LYRICS' && !body.prompt) return envelope(400, 'invalid_request', 'prompt is empty', null)
    if (upper === 'MUSIC' && body.continue_clip_id && !body.task_id) return envelope(400, 'invalid_request', 'task_id is empty', null)
    const time = now()
    const task: FakeSunoTask = {
      rowId: ++serial,
      taskId: newId(),
      action: kind,
      status: upper === 'LYRICS' ? 'SUCCESS' : 'SUBMITTED',
      failReason: '',
      submitTime: time,
      startTime: upper === 'LYRICS' ? time : 0,
      finishTime: upper === 'LYRICS' ? time : 0,
      request: body,
      outcome: upper === 'LYRICS' ? { kind: 'complete' } : nextOutcome,
      data: [],
    }
    if (upper === 'LYRICS') {
      task.data = { id: task.taskId, status: 'complete', title: 'Fake Lyrics', text: `[Verse]\n${String(body.prompt)}\n[Chorus]\nla la la` }
    } else {
      task.data = [{ id: newId() }, { id: newId() }]
      refreshClips(task)
    }
    nextOutcome = { kind: 'complete' }
    tasks.set(task.taskId, task)
    return envelope(200, 'success', '', task.taskId)
  }

  function fetchMany(body: Json | undefined): Response {
    if (!body || !Array.isArray(body.ids)) return envelope(400, 'invalid_request', 'json: cannot unmarshal ids', null)
    const found = body.ids.map((id) => tasks.get(String(id))).filter((task): task is FakeSunoTask => task !== undefined)
    const rows = found.map(rowOf)
    for (const task of found) stepper.fetched(task.taskId)
    return envelope(200, 'success', '', rows)
  }

  function fetchOne(id: string): Response {
    const task = tasks.get(id)
    if (!task) return envelope(400, 'invalid_request', 'task not exist', null)
    // Suno-API answers the task's data alone on this route (FetchByID returns tasks.Data).
    const data = task.data
    stepper.fetched(id)
    return envelope(200, 'success', '', data)
  }

  function file(path: string): Response | undefined {
    const match = /^\/cdn\/(?:image_large_|image_)?([\w-]+)\.(mp3|mp4|jpeg)$/.exec(path)
    if (!match?.[1] || !match[2]) return undefined
    const types: Record<string, string> = { mp3: 'audio/mpeg', mp4: 'video/mp4', jpeg: 'image/jpeg' }
    return new Response(fakeFile(match[1], match[2]), { headers: { 'content-type': types[match[2]] ?? 'application/octet-stream' } })
  }

  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      const text = request.method === 'POST' ? await request.text() : ''
      let body: Json | undefined
      try {
        body = text ? (JSON.parse(text) as Json) : undefined
      } catch {
        body = undefined
      }
      requests.push({ method: request.method, path: url.pathname, headers: Object.fromEntries(request.headers), body })
      const served = request.method === 'GET' ? file(url.pathname) : undefined
      if (served) return served
      const bearer = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '')
      if (options.key !== undefined && bearer !== options.key) return envelope(401, 'invalid_request', 'unauthorized secret token', null)
      const submitMatch = /^\/suno\/submit\/([^/]+)$/.exec(url.pathname)
      if (request.method === 'POST' && submitMatch?.[1]) return submit(submitMatch[1], body)
      if (request.method === 'POST' && url.pathname === '/suno/fetch') return fetchMany(body)
      const fetchMatch = /^\/suno\/fetch\/([^/]+)$/.exec(url.pathname)
      if (request.method === 'GET' && fetchMatch?.[1]) return fetchOne(decodeURIComponent(fetchMatch[1]))
      return new Response('404 page not found', { status: 404 })
    },
  })
  base = `http://127.0.0.1:${server.port}`

  return {
    url: base,
    requests,
    tasks,
    setNextOutcome(outcome) {
      nextOutcome = outcome
    },
    failNextSubmit(status, message) {
      submitFailure = { status, message }
    },
    advance: stepper.advance,
    finish: stepper.finish,
    fileBytes: fakeFile,
    reset() {
      requests.length = 0
      tasks.clear()
      nextOutcome = { kind: 'complete' }
      submitFailure = undefined
    },
    async stop() {
      await server.stop(true)
    },
  }
}
