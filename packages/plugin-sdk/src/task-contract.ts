// The task contract (contract 1.2): asynchronous providers (Midjourney-Proxy, Suno, video generation)
// whose answer is a task id that the gateway polls until the work ends. A plugin declares each task
// platform as data plus pure functions: its client routes, how a request names its action, prompt and
// parent task, its prices per action, how to build the upstream submit and fetch requests, how to read
// the upstream's answers, and how to render the gateway's own task record in the platform's wire shape.
// The core owns everything with I/O or money: auth, channel choice and failover, the `tasks` table, the
// charge at submit and the refund on failure, the poller, and the proxying of result files.
import type { TSchema } from '@sinclair/typebox'
import type { ChannelContext, InboundRequest, UpstreamReply, UpstreamRequest } from './contract.ts'
import type { GatewayError } from './errors.ts'

/** The gateway's task states; every platform's own states are mapped onto these. */
export type TaskStatus = 'NOT_START' | 'SUBMITTED' | 'IN_PROGRESS' | 'SUCCESS' | 'FAILURE'

/** What a result file is, so the dashboard shows a picture, an audio player or a video link. */
export type TaskFileKind = 'image' | 'audio' | 'video' | 'file'

/** One file a finished task produced. */
export interface TaskResultFile {
  /** What the file is. */
  kind: TaskFileKind
  /** Where the file is: the upstream's URL in the table; the client-facing URL (maybe the gateway's proxy) in a TaskView. */
  url: string
}

/** What a task produced, as the gateway stores it (the `result` JSON of the `tasks` table). */
export interface TaskResult {
  /** Result files in the platform's order (MJ: the grid image; Suno: audio, video and image of each clip). */
  files?: TaskResultFile[]
  /** Platform data the renderer needs besides files (MJ `buttons` and `properties`, Suno clips, video seconds/size). */
  extra?: Record<string, unknown>
}

/** A task's state as one upstream fetch reported it. */
export interface UpstreamTaskState {
  /** The upstream's id of the task (never shown to non-admins). */
  upstreamTaskId: string
  /** The state mapped onto the gateway's states. */
  status: TaskStatus
  /** Progress 0–100 (integer); 100 once finished. */
  progress: number
  /** Why the task failed, in the upstream's words, when status is FAILURE. */
  failReason?: string
  /** What the task produced so far (files appear on SUCCESS). */
  result?: TaskResult
}

/** A file uploaded in a multipart request, handed to `readSubmission` as a form value. */
export interface TaskUploadFile {
  /** The file name the client gave. */
  name: string
  /** The content type the client gave. */
  type: string
  /** The file's bytes. */
  bytes: Uint8Array
}

/**
 * What a submit request asks for, read by the platform from the client's body. The core prices it,
 * checks the key may use `model`, picks a channel, charges, and hands it back to `buildSubmit`.
 */
export interface TaskSubmission {
  /** The action as the platform names it (MJ `IMAGINE`, `UPSCALE`; Suno `MUSIC`; video `generate`); stored and shown. */
  action: string
  /**
   * The name the task is priced and routed by, like a model id: channels serve it (abilities), keys may be
   * limited to it, and prices and admin price overrides are keyed by it (MJ `mj_imagine`, Suno `suno_music`, video `sora-2`).
   */
  model: string
  /** Speed mode that changes the price (MJ `fast`, `relax`, `turbo`), when the route or body names one. */
  mode?: string
  /** Output resolution that changes the price (video, e.g. `1280x720`), when the request names one. */
  resolution?: string
  /** Seconds of output the request asks for, multiplied by a per-second price (video). */
  seconds?: number
  /** The prompt, stored and shown in the dashboard; absent for actions without one (MJ upscale, describe). */
  prompt?: string
  /** The gateway id of the task this one follows up (MJ `taskId` of `change`/`action`, Suno continuation, video remix). */
  parentTaskId?: string
  /** The body to send upstream, parent references still the gateway's ids (`buildSubmit` swaps in the upstream's). */
  body: Record<string, unknown>
  /** False for follow-ups that are free because a paid step before them was charged (MJ inpaint after modal); default true. */
  charged?: boolean
}

/** The parent task of a follow-up, as the core found it for the same user. */
export interface TaskParent {
  /** The gateway id the client named. */
  id: string
  /** The upstream's id, to put into the upstream request. */
  upstreamTaskId: string
  /** The parent's action. */
  action: string
  /** The parent's state. */
  status: TaskStatus
  /** What the parent produced (MJ buttons: a `customId` not among them is refused). */
  result?: TaskResult
}

/** How the upstream answered a submit. */
export type TaskSubmitOutcome =
  | {
      /** The upstream took the task. */
      accepted: true
      /** The upstream's id of the task, mapped to the gateway's own id. */
      upstreamTaskId: string
      /** A state the answer already gives (MJ code 21 "already exists" with a finished task; an upload done at once). */
      state?: Omit<UpstreamTaskState, 'upstreamTaskId'>
      /** Platform facts the client should see in the submit answer (MJ `code` 22 "queued" and its description). */
      note?: Record<string, unknown>
    }
  | {
      /** The upstream refused the task: nothing stays charged. */
      accepted: false
      /** The error shown to the client in the platform's shape (e.g. MJ code 24 "banned prompt"). */
      error: GatewayError
      /** True when another channel may succeed (queue full, no account): the core fails over. */
      retryable: boolean
    }

/**
 * The gateway's task record as a client may see it: gateway id only, never the upstream id or channel;
 * file URLs are already the client-facing ones.
 */
export interface TaskView {
  /** The gateway's public id. */
  id: string
  /** The platform id. */
  platform: string
  /** The action. */
  action: string
  /** The priced name (see TaskSubmission.model). */
  model: string
  /** The mode, when one was asked for. */
  mode?: string
  /** The state. */
  status: TaskStatus
  /** Progress 0–100. */
  progress: number
  /** The prompt, when the action has one. */
  prompt?: string
  /** The gateway id of the parent task, for follow-ups. */
  parentTaskId?: string
  /** Why the task failed. */
  failReason?: string
  /** What the task produced. */
  result?: TaskResult
  /** Facts the submit answer noted (TaskSubmitOutcome note). */
  note?: Record<string, unknown>
  /** When the gateway accepted the task, ms since the epoch. */
  submitTime: number
  /** When the upstream started it, ms since the epoch. */
  startTime?: number
  /** When it finished, ms since the epoch. */
  finishTime?: number
}

/** A client route that submits a new task. */
export interface TaskSubmitRoute {
  /** Route kind. */
  kind: 'submit'
  /** HTTP method. */
  method: 'POST'
  /** Path in Elysia syntax, e.g. `/mj/submit/imagine`. */
  path: string
  /** Body formats accepted: JSON (default) and/or multipart (fields as strings, files as TaskUploadFile). */
  accepts?: Array<'json' | 'multipart'>
  /** Largest body in bytes (default 10 MiB); larger bodies are refused with 413 before they are read. */
  maxBodyBytes?: number
  /** Body schema checked before `readSubmission` (errors name the field). */
  requestSchema?: TSchema
  /** What the request asks for; throws GatewayError (status 400) on bad input such as an unknown action or a missing prompt. */
  readSubmission(body: Record<string, unknown>, request: InboundRequest): TaskSubmission
}

/** A client route that returns one of the caller's tasks, read from the gateway's table (no upstream call). */
export interface TaskFetchRoute {
  /** Route kind. */
  kind: 'fetch'
  /** HTTP method. */
  method: 'GET'
  /** Path with an `:id` parameter holding the gateway's task id, e.g. `/mj/task/:id/fetch`. */
  path: string
  /** The task in the platform's wire shape (MJ task object, Suno envelope, OpenAI video object). */
  render(task: TaskView): unknown
}

/** A client route that returns several of the caller's tasks; ids of other users' tasks are silently left out. */
export interface TaskListRoute {
  /** Route kind. */
  kind: 'list'
  /** HTTP method. */
  method: 'GET' | 'POST'
  /** Path, e.g. `/mj/task/list-by-condition`. */
  path: string
  /** The gateway ids asked for (from the body or query); throws GatewayError on a malformed body. */
  readIds(body: Record<string, unknown>, request: InboundRequest): string[]
  /** The found tasks in the platform's wire shape. */
  render(tasks: TaskView[]): unknown
}

/**
 * A client route that streams a result file of one of the caller's tasks through the gateway (MJ
 * `/mj/image/:id`, video `/v1/videos/:id/content`), so upstream hosts stay hidden.
 */
export interface TaskContentRoute {
  /** Route kind. */
  kind: 'content'
  /** HTTP method. */
  method: 'GET'
  /** Path with an `:id` parameter holding the gateway's task id. */
  path: string
  /** False when the route needs no key (MJ image links are opened by browsers): the unguessable id is the secret. Default true. */
  requiresKey?: boolean
  /** Which file to stream (index into `result.files`), default the first. */
  pickFile?(task: TaskView, request: InboundRequest): number
  /**
   * An authenticated upstream request for the content, when the file URL alone is not enough (OpenAI video content).
   * `file` is the stored result file being served (its upstream URL). Undefined means "fetch `file.url` as it is":
   * a platform whose channel types differ (video: OpenAI content needs the key, Kling's CDN URLs do not) decides per channel.
   */
  buildRequest?(channel: ChannelContext, upstreamTaskId: string, request: InboundRequest, file: TaskResultFile): UpstreamRequest | undefined
}

/** A client route answered by asking the task's own channel (MJ `/mj/task/:id/image-seed`). */
export interface TaskUpstreamReadRoute {
  /** Route kind. */
  kind: 'upstream-read'
  /** HTTP method. */
  method: 'GET'
  /** Path with an `:id` parameter holding the gateway's task id. */
  path: string
  /** The upstream request for the task. */
  buildRequest(channel: ChannelContext, upstreamTaskId: string): UpstreamRequest
  /** The client answer from the upstream's reply (with the gateway's ids, never the upstream's). */
  render(reply: UpstreamReply, task: TaskView): { status: number; body: unknown }
}

/** Any client route of a task platform. */
export type TaskRoute = TaskSubmitRoute | TaskFetchRoute | TaskListRoute | TaskContentRoute | TaskUpstreamReadRoute

/** A USD price with its unit; when both are set they add up. */
export interface TaskPriceAmount {
  /** USD per task. */
  perCall?: number
  /** USD per second of output (TaskSubmission.seconds, or `defaultSeconds`). */
  perSecond?: number
}

/** The price of one priced name (TaskSubmission.model), as data. */
export interface TaskPrice extends TaskPriceAmount {
  /** Replaces the base amount for a mode (MJ `fast`, `relax`, `turbo`). */
  byMode?: Record<string, TaskPriceAmount>
  /** Replaces the base (or mode) amount for a resolution (video `1280x720`, `720p`). */
  byResolution?: Record<string, TaskPriceAmount>
  /** Seconds billed when the request names none (Sora defaults to 4). */
  defaultSeconds?: number
}

/** A platform's task life as polling sees it. */
export interface TaskPolling {
  /** Most upstream ids one fetch request may carry (MJ list-by-condition and Suno fetch take many; video one). */
  batchSize: number
  /** The request that fetches these tasks (all of one channel). */
  buildRequest(channel: ChannelContext, upstreamTaskIds: string[]): UpstreamRequest
  /** The states in a fetch reply; ids the reply leaves out are simply not updated. Throws when the reply is unusable. */
  readReply(reply: UpstreamReply, upstreamTaskIds: string[]): UpstreamTaskState[]
}

/**
 * An asynchronous task platform a plugin serves (contract 1.2): `midjourney`, `suno`, `video`, …
 * Everything is pure; the core does auth, money, storage, polling and I/O.
 */
export interface TaskPlatform {
  /** Short lowercase id, stored with each task, e.g. `midjourney`. */
  id: string
  /** Human name for the dashboard. */
  label: string
  /** Ids of the channel types (this plugin's or another's) whose channels serve this platform. */
  channelTypes: string[]
  /** The key from the platform's usual header (MJ `mj-api-secret`); without it the core reads `Authorization: Bearer`. */
  readKey?(request: InboundRequest): string | undefined
  /** The client routes; submit routes choose a channel, the others read the caller's tasks. */
  routes: TaskRoute[]
  /** List prices keyed by priced name (TaskSubmission.model); a key ending in `*` matches by prefix. */
  prices: Record<string, TaskPrice>
  /**
   * The upstream submit request for a channel; `parent` is set for follow-ups (swap the gateway id for
   * `parent.upstreamTaskId`). Throws GatewayError (status 400) for a follow-up the parent cannot take
   * (e.g. an MJ `customId` that is not one of the parent's buttons); it runs before anything is charged.
   */
  buildSubmit(channel: ChannelContext, submission: TaskSubmission, parent: TaskParent | undefined): UpstreamRequest
  /** How the upstream answered a submit; throws when the reply is not one the platform gives. */
  readSubmitReply(reply: UpstreamReply, submission: TaskSubmission): TaskSubmitOutcome
  /** The client answer to an accepted submit (MJ `{code: 1, result: <gateway id>}`, Suno envelope, video object). */
  renderSubmitted(task: TaskView): unknown
  /** Polling of unfinished tasks. */
  polling: TaskPolling
  /** Renders a gateway error in the platform's error shape (MJ `{code, description, result, properties}`). */
  renderError(error: GatewayError): { status: number; body: unknown }
}

/** USD amount of one TaskPriceAmount for a number of seconds. */
function amountUsd(amount: TaskPriceAmount, seconds: number): number {
  return (amount.perCall ?? 0) + (amount.perSecond ?? 0) * seconds
}

/**
 * The USD list price of a submission under a declared TaskPrice: the resolution's amount, else the
 * mode's, else the base one; per-second amounts times the asked seconds (or `defaultSeconds`, else 1).
 */
export function taskPriceUsd(price: TaskPrice, submission: Pick<TaskSubmission, 'mode' | 'resolution' | 'seconds'>): number {
  const seconds = submission.seconds ?? price.defaultSeconds ?? 1
  const byResolution = submission.resolution === undefined ? undefined : price.byResolution?.[submission.resolution]
  const byMode = submission.mode === undefined ? undefined : price.byMode?.[submission.mode]
  return amountUsd(byResolution ?? byMode ?? price, seconds)
}

/** True for the states a task never leaves. */
export function isFinishedTaskStatus(status: TaskStatus): boolean {
  return status === 'SUCCESS' || status === 'FAILURE'
}
