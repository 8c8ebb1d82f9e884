import { Elysia, t } from 'elysia'
import { and, count, desc, eq, gte, inArray, lt, type SQL } from 'drizzle-orm'
import { Page } from '../../../schemas/admin/common.ts'
import { TaskAdminView, TaskFileParams, TaskIdParams, TaskListQuery } from '../../../schemas/admin/tasks.ts'
import type { AppContext } from '../../app-context.ts'
import { channels, tasks, users } from '../../db/schema.ts'
import { GatewayError } from '../../errors.ts'
import { contentRouteOf, platformOf } from '../../tasks/task-view.ts'
import { resultOf, type TaskRow } from '../../tasks/task-store.ts'
import { streamTaskFile } from '../../tasks/task-routes.ts'
import { roleAtLeast, type Actor } from '../../http/actor.ts'
import { access, apiBase, iso, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'
import { pageOf } from '../../http/list-query.ts'

// Asynchronous tasks in the admin API (issue 11 item 9): admins see every task with its channel and
// upstream id, plain users only their own without either (another user's task is a 404, as in the relay).
// Result files are linked through GET /api/tasks/{id}/files/{index}, so the dashboard opens them with
// its session and upstream hosts stay hidden.

const tags = ['tasks']

/** The filters of a task query; plain users are always limited to their own tasks. */
function taskFilters(actor: Actor, query: TaskListQuery): SQL[] {
  const filters: SQL[] = []
  const userId = roleAtLeast(actor.role, 'admin') ? query.userId : actor.id
  if (userId !== undefined) filters.push(eq(tasks.userId, userId))
  if (query.platform) filters.push(eq(tasks.platform, query.platform))
  if (query.action) filters.push(eq(tasks.action, query.action))
  if (query.status) filters.push(eq(tasks.status, query.status))
  if (query.channelId !== undefined && roleAtLeast(actor.role, 'admin')) filters.push(eq(tasks.channelId, query.channelId))
  if (query.from) filters.push(gte(tasks.submitTime, new Date(query.from)))
  if (query.to) filters.push(lt(tasks.submitTime, new Date(query.to)))
  return filters
}

/** A stored task as the admin API shows it to `actor`. */
function toTaskView(row: TaskRow, actor: Actor, names: { username: string | null; channelName: string | null }): TaskAdminView {
  const admin = roleAtLeast(actor.role, 'admin')
  const files = (resultOf(row)?.files ?? []).map((file, index) => ({ kind: file.kind, url: `/api/tasks/${encodeURIComponent(row.id)}/files/${index}` }))
  return {
    id: row.id,
    platform: row.platform,
    action: row.action,
    model: row.model,
    mode: row.mode,
    userId: row.userId,
    username: names.username,
    tokenId: row.tokenId,
    status: row.status,
    progress: row.progress,
    prompt: row.prompt,
    failReason: row.failReason,
    files,
    parentTaskId: row.parentTaskId,
    quota: row.quota,
    refunded: row.refunded,
    refundedAt: iso(row.refundedAt),
    submitTime: iso(row.submitTime) ?? '',
    startTime: iso(row.startTime),
    finishTime: iso(row.finishTime),
    channelId: admin ? row.channelId : null,
    channelName: admin ? names.channelName : null,
    upstreamTaskId: admin ? row.upstreamTaskId : null,
  }
}

/** Tasks as views, with user names and (for admins) channel names looked up once per page. */
async function viewsOf(context: AppContext, actor: Actor, rows: TaskRow[]): Promise<TaskAdminView[]> {
  const db = context.database.db
  const userIds = [...new Set(rows.map((row) => row.userId))]
  const channelIds = roleAtLeast(actor.role, 'admin') ? [...new Set(rows.flatMap((row) => (row.channelId === null ? [] : [row.channelId])))] : []
  const userRows = userIds.length > 0 ? await db.select({ id: users.id, username: users.username }).from(users).where(inArray(users.id, userIds)) : []
  const channelRows =
    channelIds.length > 0 ? await db.select({ id: channels.id, name: channels.name }).from(channels).where(inArray(channels.id, channelIds)) : []
  const usernames = new Map(userRows.map((user) => [user.id, user.username]))
  const channelNames = new Map(channelRows.map((channel) => [channel.id, channel.name]))
  return rows.map((row) =>
    toTaskView(row, actor, {
      username: usernames.get(row.userId) ?? null,
      channelName: row.channelId === null ? null : (channelNames.get(row.channelId) ?? null),
    }),
  )
}

/** One task `actor` may see, or 404. */
async function visibleTask(context: AppContext, actor: Actor, id: string): Promise<TaskRow> {
  const mine = roleAtLeast(actor.role, 'admin') ? [] : [eq(tasks.userId, actor.id)]
  const [row] = await context.database.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.id, id), ...mine))
    .limit(1)
  if (!row) throw new GatewayError(404, 'not_found', `Task ${id} does not exist`)
  return row
}

/** A page of tasks, newest first. */
async function listTasks(context: AppContext, actor: Actor, query: TaskListQuery) {
  const db = context.database.db
  const { page, pageSize, offset } = pageOf(query)
  const filters = taskFilters(actor, query)
  const where = filters.length > 0 ? and(...filters) : undefined
  const [total] = await db.select({ value: count() }).from(tasks).where(where)
  const rows = await db.select().from(tasks).where(where).orderBy(desc(tasks.submitTime), desc(tasks.id)).limit(pageSize).offset(offset)
  return { items: await viewsOf(context, actor, rows), total: total?.value ?? 0, page, pageSize }
}

/** The binary answer of the file route as OpenAPI describes it. */
const FileBody = t.String({ format: 'binary', description: 'The result file (image, audio or video) with its content type' })

/** GET /api/tasks, GET /api/tasks/{id} and GET /api/tasks/{id}/files/{index}. */
export function taskAdminRoutes(deps: AdminDeps) {
  const { context } = deps
  return new Elysia()
    .use(apiBase(deps))
    .get('/tasks', ({ actor, query }) => listTasks(context, actor, query), {
      ...access('user', {
        operationId: 'listTasks',
        tags,
        summary: 'Asynchronous tasks (Midjourney, Suno, video), newest first (plain users see only their own)',
      }),
      query: TaskListQuery,
      response: withErrors({ 200: Page(TaskAdminView) }),
    })
    .get(
      '/tasks/:id',
      async ({ actor: signed, params }) => {
        const [view] = await viewsOf(context, signed, [await visibleTask(context, signed, params.id)])
        return view!
      },
      {
        ...access('user', { operationId: 'getTask', tags, summary: 'One task (plain users only their own; channel and upstream id for admins only)' }),
        params: TaskIdParams,
        response: withErrors({ 200: TaskAdminView }),
      },
    )
    .get(
      '/tasks/:id/files/:index',
      async ({ actor, params, request }) => {
        const row = await visibleTask(context, actor, params.id)
        const platform = platformOf(context.registry, row.platform)
        const inbound = { headers: request.headers, url: new URL(request.url), params: { id: row.id } }
        return streamTaskFile(await deps.relay(), platform && contentRouteOf(platform), row, params.index, inbound, request.signal)
      },
      {
        ...access('user', {
          operationId: 'getTaskFile',
          tags,
          summary: "A task's result file streamed through the gateway (plain users only their own)",
          responseContent: { 200: { 'application/octet-stream': FileBody } },
        }),
        params: TaskFileParams,
        response: withErrors({ 200: FileBody }),
      },
    )
}
