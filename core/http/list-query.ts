import { and, count, sql, type AnyColumn, type SQL } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'
import type { Db } from '../db/client.ts'

/** page and pageSize with their defaults applied, plus the row offset. */
export function pageOf(query: { page?: number; pageSize?: number }): { page: number; pageSize: number; offset: number } {
  const page = query.page ?? 1
  const pageSize = query.pageSize ?? 20
  return { page, pageSize, offset: (page - 1) * pageSize }
}

/** Escapes `%`, `_` and `\` so user text is matched literally inside an ILIKE pattern. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
}

/**
 * The ORDER BY of a list from its `sort` parameter (`field` or `-field`, already checked against the
 * route's whitelist by its schema): that column, empty values last, then the id, newest first, so
 * pages never shuffle rows of equal value. Without `sort`, newest first.
 */
export function sortOrder(sort: string | undefined, columns: Record<string, AnyColumn>, id: AnyColumn): SQL[] {
  const newest = sql`${id} desc`
  const descending = sort?.startsWith('-') ?? false
  const column = sort ? columns[descending ? sort.slice(1) : sort] : undefined
  if (!column) return [newest]
  const direction = descending ? sql`desc` : sql`asc`
  return column === id ? [sql`${id} ${direction}`] : [sql`${column} ${direction} nulls last`, newest]
}

/** One page of a list and how many rows match in all, as every list endpoint answers. */
export interface ListPage<Row> {
  rows: Row[]
  total: number
  page: number
  pageSize: number
}

/**
 * The rows of `table` matching every filter, on the page and in the order `query` asks for (see
 * sortOrder), with the count of all matching rows: the query behind each admin list.
 */
export async function listPage<Table extends PgTable>(
  db: Db,
  table: Table,
  id: AnyColumn,
  filters: SQL[],
  query: { page?: number; pageSize?: number; sort?: string },
  columns: Record<string, AnyColumn>,
): Promise<ListPage<Table['$inferSelect']>> {
  const { page, pageSize, offset } = pageOf(query)
  const where = filters.length > 0 ? and(...filters) : undefined
  // drizzle cannot type select().from() over a generic table; the rows are the table's own rows.
  const source: PgTable = table
  const [total] = await db.select({ value: count() }).from(source).where(where)
  const rows = await db
    .select()
    .from(source)
    .where(where)
    .orderBy(...sortOrder(query.sort, columns, id))
    .limit(pageSize)
    .offset(offset)
  return { rows: rows as Table['$inferSelect'][], total: total?.value ?? 0, page, pageSize }
}
