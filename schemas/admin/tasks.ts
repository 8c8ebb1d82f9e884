import { t, type Static } from 'elysia'
import { IntegerParameter, Pagination, Timestamp } from './common.ts'

// The admin API's view of asynchronous tasks (Midjourney, Suno, video): GET /api/tasks and /api/tasks/{id}.

const TaskStatus = t.Union([t.Literal('NOT_START'), t.Literal('SUBMITTED'), t.Literal('IN_PROGRESS'), t.Literal('SUCCESS'), t.Literal('FAILURE')])

/** GET /api/tasks query: filters and a page; plain users always get their own tasks, whatever `userId` says. */
export const TaskListQuery = t.Object({
  ...Pagination,
  platform: t.Optional(t.String({ maxLength: 64 })),
  action: t.Optional(t.String({ maxLength: 64 })),
  status: t.Optional(TaskStatus),
  userId: t.Optional(IntegerParameter('userId')),
  channelId: t.Optional(IntegerParameter('channelId')),
  from: t.Optional(t.String({ format: 'date-time', description: 'Inclusive lower bound on the submit time' })),
  to: t.Optional(t.String({ format: 'date-time', description: 'Exclusive upper bound on the submit time' })),
})

/** Path parameters of one task. */
export const TaskIdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) })

/** Path parameters of one result file of a task. */
export const TaskFileParams = t.Object({
  id: t.String({ minLength: 1, maxLength: 64 }),
  index: IntegerParameter('index', { minimum: 0, maximum: 99, description: '0-based index into the files' }),
})

/** One result file, linked through the admin API (the dashboard's session is enough to open it). */
const TaskFile = t.Object({
  kind: t.Union([t.Literal('image'), t.Literal('audio'), t.Literal('video'), t.Literal('file')]),
  url: t.String({ description: 'GET /api/tasks/{id}/files/{index}: the file streamed through the gateway' }),
})

/** One task. */
export const TaskAdminView = t.Object({
  id: t.String({ description: "The gateway's public task id" }),
  platform: t.String(),
  action: t.String(),
  model: t.String({ description: 'The priced name, e.g. mj_imagine' }),
  mode: t.Union([t.String(), t.Null()]),
  userId: t.Integer(),
  username: t.Union([t.String(), t.Null()]),
  tokenId: t.Union([t.Integer(), t.Null()]),
  status: TaskStatus,
  progress: t.Integer({ minimum: 0, maximum: 100 }),
  prompt: t.Union([t.String(), t.Null()]),
  failReason: t.Union([t.String(), t.Null()]),
  files: t.Array(TaskFile),
  parentTaskId: t.Union([t.String(), t.Null()]),
  quota: t.Integer({ description: 'Units charged at submit' }),
  refunded: t.Boolean({ description: 'True once the charge was given back (the task failed)' }),
  refundedAt: t.Union([Timestamp, t.Null()]),
  submitTime: Timestamp,
  startTime: t.Union([Timestamp, t.Null()]),
  finishTime: t.Union([Timestamp, t.Null()]),
  channelId: t.Union([t.Integer(), t.Null()], { description: 'Admins only (null for plain users)' }),
  channelName: t.Union([t.String(), t.Null()], { description: 'Admins only (null for plain users and deleted channels)' }),
  upstreamTaskId: t.Union([t.String(), t.Null()], { description: "The upstream's task id; admins only" }),
})

/** Typed GET /api/tasks query. */
export type TaskListQuery = Static<typeof TaskListQuery>
/** Typed task as the admin API shows it. */
export type TaskAdminView = Static<typeof TaskAdminView>
