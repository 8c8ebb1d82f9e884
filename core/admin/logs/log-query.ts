import { and, count, desc, eq, gte, inArray, lt, type SQL } from 'drizzle-orm'
import type { AppContext } from '../../app-context.ts'
import { channels, logs } from '../../db/schema.ts'
import { GatewayError } from '../../errors.ts'
import type { LogFilterQuery, LogListQuery, LogView } from '../../../schemas/admin/logs.ts'
import { roleAtLeast, type Actor } from '../../http/actor.ts'
import { iso } from '../../http/api-base.ts'
import { pageOf } from '../../http/list-query.ts'

type LogRow = typeof logs.$inferSelect

/** A log row with its timestamp as an ISO string, and its channel's name when the reader may see it. */
export function toLogView(row: LogRow, channelName: string | null = null): LogView {
  return { ...row, channelName, createdAt: iso(row.createdAt) ?? '', details: row.details ?? null }
}

/** Names of the channels the rows went through, for admins (plain users see no channel); a deleted channel has none. */
async function channelNames(context: AppContext, actor: Actor, rows: LogRow[]): Promise<Map<number, string>> {
  const ids = [...new Set(rows.flatMap((row) => (row.channelId === null ? [] : [row.channelId])))]
  if (ids.length === 0 || !roleAtLeast(actor.role, 'admin')) return new Map()
  const found = await context.database.db.select({ id: channels.id, name: channels.name }).from(channels).where(inArray(channels.id, ids))
  return new Map(found.map((channel) => [channel.id, channel.name]))
}

/** Log rows as the API shows them, each with its channel's name. */
async function viewsOf(context: AppContext, actor: Actor, rows: LogRow[]): Promise<LogView[]> {
  const names = await channelNames(context, actor, rows)
  return rows.map((row) => toLogView(row, row.channelId === null ? null : (names.get(row.channelId) ?? null)))
}

/** The filters of a log query; plain users are always limited to their own rows. */
export function logFilters(actor: Actor, query: LogFilterQuery): SQL[] {
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
  // A call that just finished is listed: its usage row may still be in the ledger's group commit.
  await context.ledger.sync()
  const db = context.database.db
  const { page, pageSize, offset } = pageOf(query)
  const filters = logFilters(actor, query)
  const where = filters.length > 0 ? and(...filters) : undefined
  const [total] = await db.select({ value: count() }).from(logs).where(where)
  const rows = await db.select().from(logs).where(where).orderBy(desc(logs.createdAt), desc(logs.id)).limit(pageSize).offset(offset)
  return { items: await viewsOf(context, actor, rows), total: total?.value ?? 0, page, pageSize }
}

/** One log row; a plain user asking for someone else's gets the same 404 as for a missing one. */
export async function getLog(context: AppContext, actor: Actor, id: number): Promise<LogView> {
  const mine = roleAtLeast(actor.role, 'admin') ? [] : [eq(logs.userId, actor.id)]
  const [row] = await context.database.db
    .select()
    .from(logs)
    .where(and(eq(logs.id, id), ...mine))
    .limit(1)
  if (!row) throw new GatewayError(404, 'not_found', `Log ${id} does not exist`)
  const [view] = await viewsOf(context, actor, [row])
  return view!
}
