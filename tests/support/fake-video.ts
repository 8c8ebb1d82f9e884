import type { Server } from 'bun'
import { taskStepper } from './task-stepper.ts'

// A fake OpenAI Videos API (Sora) on 127.0.0.1: `POST /v1/videos` (JSON, or multipart with an
// `input_reference` file), `GET /v1/videos/{id}` and `GET /v1/videos/{id}/content?variant=`, Bearer
// auth, OpenAI's error body. A video runs queued → in_progress with rising progress → completed (with
// `completed_at` and `expires_at`) or failed (with `error {code, message}`); each GET of a video moves it
// one step unless a test drives it by hand. Content is only served once completed, as OpenAI does.
// see https://platform.openai.com/docs/api-reference/videos (create, retrieve, content; the Video object)
// and the official openai package's resources/videos.d.ts (VideoSeconds 4/8/12, VideoSize, variants).

type Json = Record<string, unknown>

/** The status values of OpenAI's Video object. */
export type FakeVideoStatus = 'queued' | 'in_progress' | 'completed' | 'failed'

/** How a video ends when advanced past its last in-progress step. */
export type FakeVideoOutcome = { kind: 'completed' } | { kind: 'failed'; code: string; message: string }

/** A video job as the fake keeps it. */
export interface FakeVideoJob {
  /** OpenAI's Video object as GET answers it. */
  video: Json
  /** How the job ends. */
  outcome: FakeVideoOutcome
  /** The create request: JSON body, or the multipart fields (files as `{ name, type, size }`). */
  request: Json
  /** The content type the create request came with. */
  requestContentType: string
}

/** A request the fake received. */
export interface FakeVideoRequest {
  method: string
  /** Path with the query string. */
  path: string
  headers: Record<string, string>
}

/** A running fake OpenAI Videos API. */
export interface FakeOpenAIVideo {
  /** Base URL without `/v1`, as a channel's base URL. */
  readonly url: string
  readonly requests: FakeVideoRequest[]
  /** Jobs by video id. */
  readonly jobs: Map<string, FakeVideoJob>
  /** How the next created video ends (default: completed). */
  setNextOutcome(outcome: FakeVideoOutcome): void
  /** The next create answers this status with OpenAI's error body. */
  failNextCreate(status: number, message: string): void
  /** Moves a video one step along its lifecycle. */
  advance(videoId: string): Json
  /** Moves a video to its end. */
  finish(videoId: string): Json
  /** The bytes `/content` serves for a video and variant. */
  contentOf(videoId: string, variant?: string): Uint8Array<ArrayBuffer>
  reset(): void
  stop(): Promise<void>
}

/** Options of `startFakeOpenAIVideo`. */
export interface FakeOpenAIVideoOptions {
  /** The only API key accepted; any non-empty key when absent. */
  key?: string
  /** Whether each GET of a video moves it one step (default true). */
  autoAdvance?: boolean
  /** Size of the mp4 `/content` serves, in bytes (default 96 KiB, several network chunks). */
  contentBytes?: number
}

const sizesByModel: Record<string, string[]> = {
  'sora-2': ['720x1280', '1280x720'],
  'sora-2-pro': ['720x1280', '1280x720', '1024x1792', '1792x1024'],
}
const allowedSeconds = ['4', '8', '12']
const progressSteps = [0, 35, 70]
const variantTypes: Record<string, string> = { video: 'video/mp4', thumbnail: 'image/webp', spritesheet: 'image/jpeg' }

function openAIError(status: number, message: string, param: string | null = null, code: string | null = null): Response {
  return Response.json({ error: { message, type: 'invalid_request_error', param, code } }, { status })
}

/** Deterministic bytes for a video's asset: an mp4 `ftyp` box, then a pattern derived from the id. */
export function fakeVideoBytes(videoId: string, variant: string, size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size)
  const head = variant === 'video' ? [0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32] : [0x52, 0x49, 0x46, 0x46]
  bytes.set(head, 0)
  const seed = new TextEncoder().encode(`${videoId}/${variant}`)
  for (let index = head.length; index < size; index++) bytes[index] = (seed[index % seed.length] ?? 0) ^ (index & 0xff)
  return bytes
}

/** Reads a create request as OpenAI accepts it: JSON, or multipart form fields with an optional file. */
async function readCreate(request: Request): Promise<{ fields: Json; contentType: string } | undefined> {
  const contentType = request.headers.get('content-type') ?? ''
  if (contentType.startsWith('multipart/form-data')) {
    const form = await request.formData()
    const fields: Json = {}
    for (const [name, value] of form) {
      fields[name] = typeof value === 'string' ? value : { name: value.name, type: value.type, size: value.size }
    }
    return { fields, contentType: 'multipart/form-data' }
  }
  try {
    return { fields: (await request.json()) as Json, contentType: 'application/json' }
  } catch {
    return undefined
  }
}

/** Starts the fake on a free port. */
export function startFakeOpenAIVideo(options: FakeOpenAIVideoOptions = {}): FakeOpenAIVideo {
  const requests: FakeVideoRequest[] = []
  const jobs = new Map<string, FakeVideoJob>()
  const contentBytes = options.contentBytes ?? 96 * 1024
  let nextOutcome: FakeVideoOutcome = { kind: 'completed' }
  let createFailure: { status: number; message: string } | undefined
  const now = () => Math.floor(Date.now() / 1000)

  function create(fields: Json, contentType: string): Response {
    if (createFailure) {
      const failure = createFailure
      createFailure = undefined
      return openAIError(failure.status, failure.message)
    }
    const prompt = fields.prompt
    if (typeof prompt !== 'string' || prompt === '') return openAIError(400, "Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter')
    const model = typeof fields.model === 'string' ? fields.model : 'sora-2'
    const sizes = sizesByModel[model]
    if (!sizes) return openAIError(400, `Invalid value: '${model}'. Supported values are: 'sora-2' and 'sora-2-pro'.`, 'model', 'invalid_value')
    const seconds = fields.seconds === undefined ? '4' : String(fields.seconds)
    if (!allowedSeconds.includes(seconds))
      return openAIError(400, `Invalid value: '${seconds}'. Supported values are: '4', '8', and '12'.`, 'seconds', 'invalid_value')
    const size = typeof fields.size === 'string' ? fields.size : '720x1280'
    if (!sizes.includes(size)) return openAIError(400, `Invalid value: '${size}'. Supported values are: ${sizes.join(', ')}.`, 'size', 'invalid_value')
    const id = `video_${crypto.randomUUID().replaceAll('-', '')}`
    const video: Json = {
      id,
      object: 'video',
      created_at: now(),
      status: 'queued',
      completed_at: null,
      error: null,
      expires_at: null,
      model,
      progress: 0,
      prompt,
      remixed_from_video_id: null,
      seconds,
      size,
    }
    jobs.set(id, { video, outcome: nextOutcome, request: fields, requestContentType: contentType })
    nextOutcome = { kind: 'completed' }
    return Response.json(video)
  }

  function step(job: FakeVideoJob): void {
    const video = job.video
    const step = progressSteps.indexOf(Number(video.progress))
    if (video.status === 'queued') {
      video.status = 'in_progress'
      video.progress = progressSteps[1]
    } else if (step >= 0 && step < progressSteps.length - 1) {
      video.progress = progressSteps[step + 1]
    } else if (job.outcome.kind === 'completed') {
      video.status = 'completed'
      video.progress = 100
      video.completed_at = now()
      video.expires_at = now() + 24 * 3600
    } else {
      video.status = 'failed'
      video.error = { code: job.outcome.code, message: job.outcome.message }
    }
  }
  const stepper = taskStepper({
    name: 'video',
    tasks: jobs,
    autoAdvance: options.autoAdvance,
    ended: (job) => job.video.status === 'completed' || job.video.status === 'failed',
    step,
  })

  function retrieve(videoId: string): Response {
    const job = jobs.get(videoId)
    if (!job) return openAIError(404, `Video with id '${videoId}' not found.`, null, 'not_found')
    const answer = Response.json({ ...job.video })
    stepper.fetched(videoId)
    return answer
  }

  function content(videoId: string, variant: string): Response {
    const job = jobs.get(videoId)
    if (!job) return openAIError(404, `Video with id '${videoId}' not found.`, null, 'not_found')
    const type = variantTypes[variant]
    if (!type)
      return openAIError(400, `Invalid value: '${variant}'. Supported values are: 'video', 'thumbnail', and 'spritesheet'.`, 'variant', 'invalid_value')
    if (job.video.status !== 'completed')
      return openAIError(400, 'Video is not ready yet, use GET /v1/videos/{video_id} to check status.', null, 'video_not_ready')
    return new Response(fakeVideoBytes(videoId, variant, contentBytes), { headers: { 'content-type': type } })
  }

  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      requests.push({ method: request.method, path: url.pathname + url.search, headers: Object.fromEntries(request.headers) })
      const bearer = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '')
      if (!bearer || (options.key !== undefined && bearer !== options.key))
        return Response.json(
          { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
          { status: 401 },
        )
      if (request.method === 'POST' && url.pathname === '/v1/videos') {
        const parsed = await readCreate(request)
        if (!parsed) return openAIError(400, 'We could not parse the JSON body of your request.')
        return create(parsed.fields, parsed.contentType)
      }
      const contentMatch = /^\/v1\/videos\/([^/]+)\/content$/.exec(url.pathname)
      if (request.method === 'GET' && contentMatch?.[1]) return content(contentMatch[1], url.searchParams.get('variant') ?? 'video')
      const videoMatch = /^\/v1\/videos\/([^/]+)$/.exec(url.pathname)
      if (request.method === 'GET' && videoMatch?.[1]) return retrieve(videoMatch[1])
      return openAIError(404, `Invalid URL (${request.method} ${url.pathname})`)
    },
  })

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    jobs,
    setNextOutcome(outcome) {
      nextOutcome = outcome
    },
    failNextCreate(status, message) {
      createFailure = { status, message }
    },
    advance: (videoId) => stepper.advance(videoId).video,
    finish: (videoId) => stepper.finish(videoId).video,
    contentOf(videoId, variant = 'video') {
      return fakeVideoBytes(videoId, variant, contentBytes)
    },
    reset() {
      requests.length = 0
      jobs.clear()
      nextOutcome = { kind: 'completed' }
      createFailure = undefined
    },
    async stop() {
      await server.stop(true)
    },
  }
}
