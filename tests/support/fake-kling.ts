import type { Server } from 'bun'
import { jwtVerify } from 'jose'
import { taskStepper } from './task-stepper.ts'

// A fake Kling AI API on 127.0.0.1: `POST /v1/videos/text2video` and `/v1/videos/image2video`, `GET
// /v1/videos/{text2video|image2video}/{task_id}`, auth by an HS256 JWT signed with the account's secret
// key (`iss` = access key, `exp`, `nbf`) in `Authorization: Bearer`, every answer in Kling's
// `{code, message, request_id, data}` envelope (code 0 = success; 1000-1004 auth, 1200/1201 bad
// parameters). A task runs submitted → processing → succeed (task_result.videos with a URL the fake
// serves) or failed (task_status_msg); each GET moves it one step unless a test drives it by hand.
// see https://app.klingai.com/global/dev/document-api (Text to Video, Image to Video, query, error codes)

type Json = Record<string, unknown>

/** Kling's task states. */
export type FakeKlingStatus = 'submitted' | 'processing' | 'succeed' | 'failed'

/** How a task ends: a video, or failure with this message. */
export type FakeKlingOutcome = { kind: 'succeed' } | { kind: 'failed'; message: string }

/** A task as the fake keeps it. */
export interface FakeKlingTask {
  taskId: string
  kind: 'text2video' | 'image2video'
  status: FakeKlingStatus
  request: Json
  outcome: FakeKlingOutcome
  createdAt: number
  updatedAt: number
  videoId: string
}

/** A request the fake received, with the JWT claims it carried when they verified. */
export interface FakeKlingRequest {
  method: string
  path: string
  body: Json | undefined
  claims?: Json
}

/** Options of `startFakeKling`. */
export interface FakeKlingOptions {
  /** The account's access key (the JWT's `iss`). */
  accessKey: string
  /** The account's secret key (the JWT's HS256 key). */
  secretKey: string
  /** Whether each GET moves a task one step (default true). */
  autoAdvance?: boolean
  /** Size of a video file the fake serves, in bytes (default 64 KiB). */
  videoBytes?: number
}

/** A running fake Kling API. */
export interface FakeKling {
  readonly url: string
  readonly requests: FakeKlingRequest[]
  readonly tasks: Map<string, FakeKlingTask>
  setNextOutcome(outcome: FakeKlingOutcome): void
  /** The next create answers this HTTP status and Kling code. */
  failNextCreate(status: number, code: number, message: string): void
  advance(taskId: string): FakeKlingTask
  finish(taskId: string): FakeKlingTask
  /** The bytes served for a task's video. */
  videoOf(taskId: string): Uint8Array<ArrayBuffer>
  reset(): void
  stop(): Promise<void>
}

const modes = ['std', 'pro']
const durations = ['5', '10']
const aspectRatios = ['16:9', '9:16', '1:1']

/** Deterministic mp4-looking bytes for a video id. */
function videoBytes(videoId: string, size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size)
  bytes.set([0, 0, 0, 0x1c, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d], 0)
  const seed = new TextEncoder().encode(videoId)
  for (let index = 12; index < size; index++) bytes[index] = (seed[index % seed.length] ?? 0) ^ ((index * 7) & 0xff)
  return bytes
}

/** Starts the fake on a free port. */
export function startFakeKling(options: FakeKlingOptions): FakeKling {
  const requests: FakeKlingRequest[] = []
  const tasks = new Map<string, FakeKlingTask>()
  const size = options.videoBytes ?? 64 * 1024
  const secret = new TextEncoder().encode(options.secretKey)
  let nextOutcome: FakeKlingOutcome = { kind: 'succeed' }
  let createFailure: { status: number; code: number; message: string } | undefined
  let serial = 800_000_000_000_000_000n
  let base = ''

  const answer = (status: number, code: number, message: string, data: unknown) =>
    Response.json({ code, message, request_id: crypto.randomUUID(), data }, { status })

  async function authenticate(request: Request): Promise<Json | Response> {
    const header = request.headers.get('authorization') ?? ''
    if (!header) return answer(401, 1001, 'Authorization is empty', null)
    const token = header.replace(/^Bearer /, '')
    try {
      const { payload, protectedHeader } = await jwtVerify(token, secret, { algorithms: ['HS256'], issuer: options.accessKey })
      if (protectedHeader.typ !== undefined && protectedHeader.typ !== 'JWT') return answer(401, 1002, 'Authorization is invalid', null)
      return payload as Json
    } catch (error) {
      const code = (error as { code?: string }).code
      if (code === 'ERR_JWT_EXPIRED') return answer(401, 1004, 'Authorization has expired', null)
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (error as { claim?: string }).claim === 'nbf')
        return answer(401, 1003, 'Authorization is not yet effective', null)
      return answer(401, 1002, 'Authorization is invalid', null)
    }
  }

  function taskData(task: FakeKlingTask): Json {
    const data: Json = {
      task_id: task.taskId,
      task_status: task.status,
      task_status_msg: task.status === 'failed' && task.outcome.kind === 'failed' ? task.outcome.message : '',
      task_info: { external_task_id: task.request.external_task_id ?? '' },
      created_at: task.createdAt,
      updated_at: task.updatedAt,
    }
    if (task.status === 'succeed')
      data.task_result = { videos: [{ id: task.videoId, url: `${base}/cdn/${task.videoId}.mp4`, duration: String(task.request.duration ?? '5') }] }
    return data
  }

  function create(kind: FakeKlingTask['kind'], body: Json | undefined): Response {
    if (createFailure) {
      const failure = createFailure
      createFailure = undefined
      return answer(failure.status, failure.code, failure.message, null)
    }
    if (!body) return answer(400, 1200, 'Invalid request parameters', null)
    if (kind === 'text2video' && (typeof body.prompt !== 'string' || body.prompt === '')) return answer(400, 1201, 'prompt is required', null)
    if (typeof body.prompt === 'string' && body.prompt.length > 2500) return answer(400, 1201, 'prompt must not exceed 2500 characters', null)
    if (kind === 'image2video' && (typeof body.image !== 'string' || body.image === '')) return answer(400, 1201, 'image is required', null)
    if (body.mode !== undefined && !modes.includes(String(body.mode))) return answer(400, 1201, `mode value '${String(body.mode)}' is invalid`, null)
    if (body.duration !== undefined && !durations.includes(String(body.duration)))
      return answer(400, 1201, `duration value '${String(body.duration)}' is invalid`, null)
    if (body.aspect_ratio !== undefined && !aspectRatios.includes(String(body.aspect_ratio)))
      return answer(400, 1201, `aspect_ratio value '${String(body.aspect_ratio)}' is invalid`, null)
    serial += 1n
    const now = Date.now()
    const task: FakeKlingTask = {
      taskId: String(serial),
      kind,
      status: 'submitted',
      request: body,
      outcome: nextOutcome,
      createdAt: now,
      updatedAt: now,
      videoId: crypto.randomUUID(),
    }
    nextOutcome = { kind: 'succeed' }
    tasks.set(task.taskId, task)
    const { task_result: _none, task_status_msg: _message, ...data } = taskData(task)
    return answer(200, 0, 'SUCCEED', data)
  }

  const stepper = taskStepper({
    name: 'Kling task',
    tasks,
    autoAdvance: options.autoAdvance,
    ended: (task) => task.status === 'succeed' || task.status === 'failed',
    step(task) {
      task.status = task.status === 'submitted' ? 'processing' : task.outcome.kind
      task.updatedAt = Date.now()
    },
  })

  function query(kind: FakeKlingTask['kind'], taskId: string): Response {
    const task = tasks.get(taskId)
    if (!task || task.kind !== kind) return answer(404, 1202, 'task not found', null)
    const data = taskData(task)
    stepper.fetched(taskId)
    return answer(200, 0, 'SUCCEED', data)
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
      const record: FakeKlingRequest = { method: request.method, path: url.pathname, body }
      requests.push(record)
      const cdn = /^\/cdn\/([\w-]+)\.mp4$/.exec(url.pathname)
      if (request.method === 'GET' && cdn?.[1]) return new Response(videoBytes(cdn[1], size), { headers: { 'content-type': 'video/mp4' } })
      const claims = await authenticate(request)
      if (claims instanceof Response) return claims
      record.claims = claims
      const createMatch = /^\/v1\/videos\/(text2video|image2video)$/.exec(url.pathname)
      if (request.method === 'POST' && createMatch?.[1]) return create(createMatch[1] as FakeKlingTask['kind'], body)
      const queryMatch = /^\/v1\/videos\/(text2video|image2video)\/([^/]+)$/.exec(url.pathname)
      if (request.method === 'GET' && queryMatch?.[1] && queryMatch[2]) return query(queryMatch[1] as FakeKlingTask['kind'], queryMatch[2])
      return answer(404, 1100, 'Not Found', null)
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
    failNextCreate(status, code, message) {
      createFailure = { status, code, message }
    },
    advance: stepper.advance,
    finish: stepper.finish,
    videoOf(taskId) {
      const task = tasks.get(taskId)
      if (!task) throw new Error(`no Kling task ${taskId}`)
      return videoBytes(task.videoId, size)
    },
    reset() {
      requests.length = 0
      tasks.clear()
      nextOutcome = { kind: 'succeed' }
      createFailure = undefined
    },
    async stop() {
      await server.stop(true)
    },
  }
}
