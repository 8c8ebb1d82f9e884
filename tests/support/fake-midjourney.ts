import type { Server } from 'bun'
import { taskStepper } from './task-stepper.ts'

// A fake Midjourney-Proxy (-Plus) on 127.0.0.1: `POST /mj/submit/{imagine,change,action,modal,blend,
// describe,shorten,upload-discord-images}`, `GET /mj/task/{id}/fetch`, `POST /mj/task/list-by-condition`,
// `GET /mj/task/{id}/image-seed`, `mj-api-secret` auth, answers in its `{code, description, result,
// properties}` shape and task objects with `"45%"` progress. A task runs SUBMITTED → IN_PROGRESS with
// rising progress (25%, 50%, 75%) → SUCCESS with an `imageUrl` served by the fake and U/V/reroll buttons
// (`MJ::JOB::upsample::1::<hash>`), or FAILURE with a `failReason`; every fetch or list moves each task it
// names one step, unless the test froze it. see github.com/novicezk/midjourney-proxy docs/api.md

type Json = Record<string, unknown>

/** A task as the fake keeps it. */
export interface FakeMidjourneyTask {
  id: string
  action: string
  prompt: string
  status: 'NOT_START' | 'SUBMITTED' | 'IN_PROGRESS' | 'SUCCESS' | 'FAILURE'
  progress: number
  submitTime: number
  startTime: number
  finishTime: number
  imageUrl: string
  failReason: string
  buttons: Json[]
  /** The body the task was submitted with. */
  request: Json
  /** How the task ends once advanced past 75%. */
  outcome: { kind: 'success' } | { kind: 'failure'; reason: string }
  /** A frozen task never moves (a stuck upstream). */
  frozen: boolean
}

/** A request the fake received. */
export interface FakeMidjourneyRequest {
  method: string
  path: string
  secret: string | null
  body: Json | undefined
}

/** A running fake. */
export interface FakeMidjourney {
  url: string
  /** The `mj-api-secret` the fake requires. */
  secret: string
  tasks: Map<string, FakeMidjourneyTask>
  requests: FakeMidjourneyRequest[]
  /** The next submits end with this outcome (default success). */
  nextOutcome: FakeMidjourneyTask['outcome']
  /** The next submit answers with this code and description instead of code 1 (once). */
  refuseNext(code: number, description: string): void
  /** Moves a task one step (or to its end with `steps`). */
  advance(id: string, steps?: number): void
  /** The PNG bytes the fake serves for every image. */
  imageBytes: Uint8Array
  stop(): void
}

/** A 1×1 PNG. */
const PNG = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='), (char) =>
  char.charCodeAt(0),
)

/** U1–U4, reroll and V1–V4 buttons of a finished grid, as Midjourney-Proxy-Plus reports them. */
function gridButtons(hash: string): Json[] {
  const upscales = [1, 2, 3, 4].map((index) => ({ customId: `MJ::JOB::upsample::${index}::${hash}`, emoji: '', label: `U${index}`, type: 2, style: 2 }))
  const variations = [1, 2, 3, 4].map((index) => ({ customId: `MJ::JOB::variation::${index}::${hash}`, emoji: '', label: `V${index}`, type: 2, style: 2 }))
  return [...upscales, { customId: `MJ::JOB::reroll::0::${hash}::SOLO`, emoji: '🔄', label: '', type: 2, style: 2 }, ...variations]
}

/** Starts the fake; `secret` is the `mj-api-secret` it requires. */
export function startFakeMidjourney(secret = 'mj-secret'): FakeMidjourney {
  const tasks = new Map<string, FakeMidjourneyTask>()
  const requests: FakeMidjourneyRequest[] = []
  let counter = 1_700_000_000_000
  let refusal: { code: number; description: string } | undefined
  let server: Server<undefined>

  const fake: FakeMidjourney = {
    url: '',
    secret,
    tasks,
    requests,
    nextOutcome: { kind: 'success' },
    refuseNext(code, description) {
      refusal = { code, description }
    },
    advance(id, steps = 1) {
      for (let step = 0; tasks.has(id) && step < steps; step++) stepper.advance(id)
    },
    imageBytes: PNG,
    stop: () => server.stop(true),
  }

  // Each fetch moves the task before answering (the proxy reports Discord's progress as it polls).
  const stepper = taskStepper({
    name: 'Midjourney task',
    tasks,
    ended: (task) => task.frozen || task.status === 'SUCCESS' || task.status === 'FAILURE',
    step: move,
  })

  function move(task: FakeMidjourneyTask): void {
    if (task.status === 'SUBMITTED' || task.status === 'NOT_START') {
      task.status = 'IN_PROGRESS'
      task.progress = 25
      task.startTime = Date.now()
    } else if (task.progress < 75) task.progress += 25
    else if (task.outcome.kind === 'failure') {
      task.status = 'FAILURE'
      task.failReason = task.outcome.reason
      task.finishTime = Date.now()
    } else {
      task.status = 'SUCCESS'
      task.progress = 100
      task.finishTime = Date.now()
      task.imageUrl = `${fake.url}/attachments/${task.id}.png`
      // Discord's message hash, which has nothing to do with the proxy's task id.
      const hash = crypto.randomUUID().replaceAll('-', '')
      if (['IMAGINE', 'VARIATION', 'REROLL', 'BLEND'].includes(task.action)) task.buttons = gridButtons(hash)
      if (task.action === 'DESCRIBE') task.prompt = '1️⃣ a red fox in the snow --ar 1:1\n\n2️⃣ a fox, watercolor'
    }
  }

  function object(task: FakeMidjourneyTask): Json {
    return {
      id: task.id,
      action: task.action,
      prompt: task.prompt,
      promptEn: task.prompt,
      description: `/imagine ${task.prompt}`,
      state: '',
      submitTime: task.submitTime,
      startTime: task.startTime,
      finishTime: task.finishTime,
      imageUrl: task.imageUrl,
      status: task.status,
      progress: `${task.progress}%`,
      failReason: task.failReason,
      buttons: task.buttons,
      properties: { finalPrompt: task.prompt },
    }
  }

  function submit(action: string, body: Json): Response {
    if (refusal) {
      const answer = { code: refusal.code, description: refusal.description, result: null, properties: {} }
      refusal = undefined
      return Response.json(answer)
    }
    if (typeof body.taskId === 'string' && !tasks.has(body.taskId))
      return Response.json({ code: 3, description: 'task not found', result: null, properties: {} })
    if (action === 'UPLOAD') return Response.json({ code: 1, description: '成功', result: [`${fake.url}/attachments/upload-${counter++}.png`], properties: {} })
    const id = String(counter++)
    tasks.set(id, {
      id,
      action,
      prompt: typeof body.prompt === 'string' ? body.prompt : '',
      status: 'SUBMITTED',
      progress: 0,
      submitTime: Date.now(),
      startTime: 0,
      finishTime: 0,
      imageUrl: '',
      failReason: '',
      buttons: [],
      request: body,
      outcome: fake.nextOutcome,
      frozen: false,
    })
    return Response.json({ code: 1, description: '提交成功', result: id, properties: { discordInstanceId: 'fake-instance' } })
  }

  function actionOf(path: string, body: Json): string {
    const kind = path.slice('/mj/submit/'.length)
    if (kind === 'change') return String(body.action ?? '')
    if (kind === 'action') return /upsample/.test(String(body.customId)) ? 'UPSCALE' : /reroll/.test(String(body.customId)) ? 'REROLL' : 'VARIATION'
    if (kind === 'upload-discord-images') return 'UPLOAD'
    return kind.toUpperCase()
  }

  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      const body = request.method === 'POST' ? ((await request.json().catch(() => undefined)) as Json | undefined) : undefined
      const secret = request.headers.get('mj-api-secret')
      requests.push({ method: request.method, path: url.pathname, secret, body })
      if (url.pathname.startsWith('/attachments/')) return new Response(PNG, { headers: { 'content-type': 'image/png' } })
      if (secret !== fake.secret) return new Response('{"error":"Unauthorized"}', { status: 401, headers: { 'content-type': 'application/json' } })
      if (request.method === 'POST' && url.pathname.startsWith('/mj/submit/')) return submit(actionOf(url.pathname, body ?? {}), body ?? {})
      if (request.method === 'POST' && url.pathname === '/mj/task/list-by-condition') {
        const ids = Array.isArray(body?.ids) ? (body.ids as string[]) : []
        const found = ids.flatMap((id) => tasks.get(id) ?? [])
        for (const task of found) stepper.fetched(task.id)
        return Response.json(found.map(object))
      }
      const fetchMatch = /^\/mj\/task\/([^/]+)\/(fetch|image-seed)$/.exec(url.pathname)
      if (fetchMatch) {
        const task = tasks.get(fetchMatch[1]!)
        if (fetchMatch[2] === 'image-seed')
          return Response.json(task ? { code: 1, description: '成功', result: '2048613325' } : { code: 3, description: 'task not found', result: null })
        if (!task) return new Response(null, { status: 404 })
        stepper.fetched(task.id)
        return Response.json(object(task))
      }
      return new Response('not found', { status: 404 })
    },
  })
  fake.url = `http://127.0.0.1:${server.port}`
  return fake
}
