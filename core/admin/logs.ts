import { Elysia } from 'elysia'
import { and, count, desc, eq, gte, lt, type SQL } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { logs } from '../db/schema.ts'
import { Page } from '../../schemas/admin/common.ts'
import { LogListQuery, LogView } from '../../schemas/admin/logs.ts'
import { roleAtLeast, type Actor } from './auth.ts'
import { access, adminBase, iso, signedIn, withErrors, type AdminDeps } from './http.ts'
import { pageOf } from './list-query.ts'

type LogRow = typeof logs.$inferSelect

/** A log row with its timestamp as an ISO string. */
export function toLogView(row: LogRow): LogView {
  return { ...row, createdAt: iso(row.createdAt) ?? '', details: row.details ?? null }
}

/** The filters of a log query; plain users are always limited to their own rows. */
function logFilters(actor: Actor, query: LogListQuery): SQL[] {
  const filters: SQL[] = []
  const userId = roleAtLeast(actor.role, 'admin') ? query.userId : actor.id
  if (userId !== undefined) filters.push(eq(logs.userId, userId))
  if (query.type) filters.push(eq(logs.type, query.type))
  if (query.tokenId !== undefined) filters.push(eq(logs.tokenId, query.tokenId))
  if (query.channelId !== undefined) filters.push(eq(logs.channelId, query.channelId))
  if (query.model) filters.push(eq(logs.model, query.model))
  if (query.requestId) filters.push(eq(logs.requestId, query.requestId))
  if (query.from) filters.push(gte(logs.createdAt, new Date(query.from)))
  if (query.to) filters.push(lt(logs.createdAt, new Date(query.to)))
  return filters
}

/** A page of log rows, newest first. */
export async function listLogs(context: AppContext, actor: Actor, query: LogListQuery) {
  const db = context.database.db
  const { page, pageSize, offset } = pageOf(query)
  const filters = logFilters(actor, query)
  const where = filters.length > 0 ? and(...filters) : undefined
  const [total] = await db.select({ value: count() }).from(logs).where(where)
  const rows = await db.select().from(logs).where(where).orderBy(desc(logs.createdAt), desc(logs.id)).limit(pageSize).offset(offset)
  return { items: rows.map(toLogView), total: total?.value ?? 0, page, pageSize }
}

/** Usage, error and audit logs: admins see everything, users only their own rows. */
export function logRoutes(deps: AdminDeps) {
  return new Elysia()
    .use(adminBase(deps))
    .get('/logs', ({ actor, query }) => listLogs(deps.context, signedIn(actor), query), {
      ...access('user', { operationId: 'listLogs', tags: ['logs'], summary: 'Usage, error and audit logs, newest first (plain users see only their own)' }),
      query: LogListQuery, response: withErrors({ 200: Page(LogView) }),
    })
}
