import { Elysia } from 'elysia'
import { and, count, desc, eq, gte, lt, type SQL } from 'drizzle-orm'
import { logs } from '../db/schema.ts'
import { Page } from '../../schemas/admin/common.ts'
import { LogListQuery, LogView } from '../../schemas/admin/logs.ts'
import { roleAtLeast } from './auth.ts'
import { access, adminBase, iso, signedIn, withErrors, type AdminDeps } from './http.ts'

type LogRow = typeof logs.$inferSelect

function toLogView(row: LogRow) {
  return { ...row, createdAt: iso(row.createdAt) ?? '', details: row.details ?? null }
}

/** Usage, error and audit logs: admins see everything, users only their own rows. */
export function logRoutes(deps: AdminDeps) {
  const db = deps.context.database.db
  return new Elysia({ prefix: '/api' })
    .use(adminBase(deps))
    .get('/logs', async ({ actor, query }) => {
      const me = signedIn(actor)
      const page = query.page ?? 1
      const pageSize = query.pageSize ?? 20
      const filters: SQL[] = []
      const userId = roleAtLeast(me.role, 'admin') ? query.userId : me.id
      if (userId !== undefined) filters.push(eq(logs.userId, userId))
      if (query.type) filters.push(eq(logs.type, query.type as LogRow['type']))
      if (query.tokenId !== undefined) filters.push(eq(logs.tokenId, query.tokenId))
      if (query.channelId !== undefined) filters.push(eq(logs.channelId, query.channelId))
      if (query.model) filters.push(eq(logs.model, query.model))
      if (query.requestId) filters.push(eq(logs.requestId, query.requestId))
      if (query.from) filters.push(gte(logs.createdAt, new Date(query.from)))
      if (query.to) filters.push(lt(logs.createdAt, new Date(query.to)))
      const where = filters.length > 0 ? and(...filters) : undefined
      const [total] = await db.select({ value: count() }).from(logs).where(where)
      const rows = await db.select().from(logs).where(where).orderBy(desc(logs.id)).limit(pageSize).offset((page - 1) * pageSize)
      return { items: rows.map(toLogView), total: total?.value ?? 0, page, pageSize }
    }, { ...access('user', { operationId: 'listLogs', tags: ['logs'], summary: 'Usage, error and audit logs (users see their own)' }), query: LogListQuery, response: withErrors({ 200: Page(LogView) }) })
}
