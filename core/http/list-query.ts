import { sql, type AnyColumn, type SQL } from 'drizzle-orm'

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
