import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import type { operations } from '../../../../schemas/generated/admin-api'

// The logs page's filters, kept in the address bar (so a filtered view can be shared or reloaded)
// and turned into the query of GET /api/logs and of the CSV export, which takes the same filters.

/** The log types GET /api/logs knows, in the order the type filter lists them. */
export const LOG_TYPES = ['consume', 'error', 'refund', 'topup', 'manage', 'system', 'login'] as const

/** One of the log types. */
export type LogType = (typeof LOG_TYPES)[number]

/** What the filter form edits. */
export interface LogFilters {
  /** [from, to] as epoch milliseconds; `to` is exclusive. */
  range: [number, number] | null
  type: LogType | null
  model: string
  userId: number | null
  tokenId: number | null
  channelId: number | null
  requestId: string
}

/** The filter query of GET /api/logs (everything but the page). */
export type LogQuery = Omit<NonNullable<operations['listLogs']['parameters']['query']>, 'page' | 'pageSize'>

/** No filter at all. */
export function emptyFilters(): LogFilters {
  return { range: null, type: null, model: '', userId: null, tokenId: null, channelId: null, requestId: '' }
}

function isLogType(value: unknown): value is LogType {
  return typeof value === 'string' && (LOG_TYPES as readonly string[]).includes(value)
}

function first(value: LocationQuery[string] | undefined): string | undefined {
  const single = Array.isArray(value) ? value[0] : value
  return typeof single === 'string' && single.trim() !== '' ? single.trim() : undefined
}

function positiveInteger(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null
  const number = Number(value)
  return number > 0 && Number.isSafeInteger(number) ? number : null
}

function time(value: string | undefined): number | null {
  if (value === undefined) return null
  const parsed = Date.parse(value)
  return Number.isNaN(parsed) ? null : parsed
}

/** The filters a page address carries (unknown or malformed values are ignored). */
export function filtersFromRoute(query: LocationQuery): LogFilters {
  const from = time(first(query.from))
  const to = time(first(query.to))
  const type = first(query.type)
  return {
    range: from !== null && to !== null ? [from, to] : null,
    type: isLogType(type) ? type : null,
    model: first(query.model) ?? '',
    userId: positiveInteger(first(query.userId)),
    tokenId: positiveInteger(first(query.tokenId)),
    channelId: positiveInteger(first(query.channelId)),
    requestId: first(query.requestId) ?? '',
  }
}

/**
 * The API query for some filters; the user and channel filters only for admins (the gateway limits
 * plain users to their own rows anyway, and they cannot see channels).
 */
export function toLogQuery(filters: LogFilters, isAdmin: boolean): LogQuery {
  const query: LogQuery = {}
  if (filters.range) {
    query.from = new Date(Math.min(...filters.range)).toISOString()
    query.to = new Date(Math.max(...filters.range)).toISOString()
  }
  if (filters.type) query.type = filters.type
  if (filters.model.trim() !== '') query.model = filters.model.trim()
  if (isAdmin && filters.userId !== null) query.userId = filters.userId
  if (filters.tokenId !== null) query.tokenId = filters.tokenId
  if (isAdmin && filters.channelId !== null) query.channelId = filters.channelId
  if (filters.requestId.trim() !== '') query.requestId = filters.requestId.trim()
  return query
}

/** The same filters as an address-bar query. */
export function toRouteQuery(query: LogQuery): LocationQueryRaw {
  return Object.fromEntries(
    Object.entries(query)
      .filter(([, value]) => value !== undefined && value !== '')
      .map(([key, value]) => [key, String(value)]),
  )
}

/** The CSV export's address for these filters (a same-origin GET: the session cookie signs it). */
export function exportUrl(query: LogQuery): string {
  const search = new URLSearchParams(toRouteQuery(query) as Record<string, string>).toString()
  return `/api/logs/export${search === '' ? '' : `?${search}`}`
}
