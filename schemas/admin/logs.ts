import { t } from 'elysia'
import { Timestamp } from './common.ts'

const LogType = t.Union(['consume', 'error', 'manage', 'topup', 'system', 'refund', 'login'].map((type) => t.Literal(type)))

/** GET /api/logs query. */
export const LogListQuery = t.Object({
  page: t.Optional(t.Numeric({ minimum: 1 })),
  pageSize: t.Optional(t.Numeric({ minimum: 1, maximum: 100 })),
  type: t.Optional(LogType),
  userId: t.Optional(t.Numeric({ minimum: 1 })),
  tokenId: t.Optional(t.Numeric({ minimum: 1 })),
  channelId: t.Optional(t.Numeric({ minimum: 1 })),
  model: t.Optional(t.String({ maxLength: 200 })),
  requestId: t.Optional(t.String({ maxLength: 100 })),
  from: t.Optional(t.String({ format: 'date-time' })),
  to: t.Optional(t.String({ format: 'date-time' })),
}, { additionalProperties: false })

/** One log row. */
export const LogView = t.Object({
  id: t.Integer(),
  createdAt: Timestamp,
  type: t.String(),
  userId: t.Union([t.Integer(), t.Null()]),
  username: t.Union([t.String(), t.Null()]),
  tokenId: t.Union([t.Integer(), t.Null()]),
  tokenName: t.Union([t.String(), t.Null()]),
  channelId: t.Union([t.Integer(), t.Null()]),
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
