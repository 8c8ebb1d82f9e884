import { t, type Static } from 'elysia'
import { IntegerParameter, Pagination, Timestamp } from './common.ts'

const LogType = t.Union([
  t.Literal('consume'),
  t.Literal('error'),
  t.Literal('manage'),
  t.Literal('topup'),
  t.Literal('system'),
  t.Literal('refund'),
  t.Literal('login'),
])

/** The filters of GET /api/logs and its CSV export; plain users always get their own rows, whatever `userId` says. */
const logFilters = {
  type: t.Optional(LogType),
  userId: t.Optional(IntegerParameter('userId')),
  tokenId: t.Optional(IntegerParameter('tokenId')),
  channelId: t.Optional(IntegerParameter('channelId')),
  model: t.Optional(t.String({ maxLength: 200 })),
  requestId: t.Optional(t.String({ maxLength: 100 })),
  from: t.Optional(t.String({ format: 'date-time', description: 'Inclusive lower bound on createdAt' })),
  to: t.Optional(t.String({ format: 'date-time', description: 'Exclusive upper bound on createdAt' })),
}

/** GET /api/logs query: the filters and a page. */
export const LogListQuery = t.Object({ ...Pagination, ...logFilters })

/** GET /api/logs/export query: the same filters, every matching row. */
export const LogExportQuery = t.Object(logFilters)

/** One log row. */
export const LogView = t.Object({
  id: t.Integer(),
  createdAt: Timestamp,
  type: LogType,
  userId: t.Union([t.Integer(), t.Null()]),
  username: t.Union([t.String(), t.Null()]),
  tokenId: t.Union([t.Integer(), t.Null()]),
  tokenName: t.Union([t.String(), t.Null()]),
  channelId: t.Union([t.Integer(), t.Null()]),
  channelName: t.Union([t.String(), t.Null()], { description: "The channel's current name (admins only; null for plain users and deleted channels)" }),
  model: t.Union([t.String(), t.Null()]),
  upstreamModel: t.Union([t.String(), t.Null()]),
  promptTokens: t.Integer(),
  completionTokens: t.Integer(),
  cacheReadTokens: t.Integer(),
  cacheWriteTokens: t.Integer(),
  reasoningTokens: t.Integer(),
  quota: t.Integer({ description: 'Units charged or credited' }),
  latencyMs: t.Union([t.Integer(), t.Null()]),
  firstTokenMs: t.Union([t.Integer(), t.Null()]),
  isStream: t.Boolean(),
  requestId: t.Union([t.String(), t.Null()]),
  ip: t.Union([t.String(), t.Null()]),
  group: t.Union([t.String(), t.Null()]),
  statusCode: t.Union([t.Integer(), t.Null()]),
  content: t.Union([t.String(), t.Null()]),
  details: t.Union([t.Record(t.String(), t.Unknown()), t.Null()]),
})

/** Typed GET /api/logs query. */
export type LogListQuery = Static<typeof LogListQuery>
/** Typed log filters (the export query). */
export type LogFilterQuery = Static<typeof LogExportQuery>
/** Typed log row. */
export type LogView = Static<typeof LogView>
