import { t, type Static } from 'elysia'
import { GroupName, ModelName, Name, Timestamp, Units } from './common.ts'

const IpEntry = t.String({ minLength: 2, maxLength: 64, description: 'IP address or CIDR range' })
const Expiry = t.Union([t.String({ format: 'date-time' }), t.Null()], { description: 'ISO date-time, or null for never' })

/** POST /api/tokens body. */
export const TokenCreate = t.Object({
  name: Name,
  quota: t.Optional(Units),
  unlimited: t.Optional(t.Boolean()),
  models: t.Optional(t.Union([t.Array(ModelName, { maxItems: 1000 }), t.Null()])),
  ipAllowlist: t.Optional(t.Union([t.Array(IpEntry, { maxItems: 1000 }), t.Null()])),
  group: t.Optional(t.Union([GroupName, t.Null()])),
  expiresAt: t.Optional(Expiry),
  userId: t.Optional(t.Integer({ minimum: 1, description: 'Admins only: create the key for this user' })),
}, { additionalProperties: false })

/** PATCH /api/tokens/:id body. */
export const TokenUpdate = t.Object({
  name: t.Optional(Name),
  quota: t.Optional(Units),
  unlimited: t.Optional(t.Boolean()),
  models: t.Optional(t.Union([t.Array(ModelName, { maxItems: 1000 }), t.Null()])),
  ipAllowlist: t.Optional(t.Union([t.Array(IpEntry, { maxItems: 1000 }), t.Null()])),
  group: t.Optional(t.Union([GroupName, t.Null()])),
  expiresAt: t.Optional(Expiry),
  status: t.Optional(t.Union([t.Literal('enabled'), t.Literal('disabled')])),
}, { additionalProperties: false, minProperties: 1 })

/** A relay key as the admin API shows it: never the key itself. */
export const TokenView = t.Object({
  id: t.Integer(),
  userId: t.Integer(),
  name: t.String(),
  keyPreview: t.String(),
  status: t.String(),
  remainQuota: Units,
  usedQuota: Units,
  unlimited: t.Boolean(),
  models: t.Union([t.Array(t.String()), t.Null()]),
  ipAllowlist: t.Union([t.Array(t.String()), t.Null()]),
  group: t.Union([t.String(), t.Null()]),
  expiresAt: t.Union([Timestamp, t.Null()]),
  lastUsedAt: t.Union([Timestamp, t.Null()]),
  createdAt: Timestamp,
})

/** The create answer: the view plus the `sk-…` key, shown this once. */
export const TokenCreated = t.Composite([TokenView, t.Object({ key: t.String({ description: 'The API key; it is not stored and cannot be shown again' }) })])

/** GET /api/tokens query. */
export const TokenListQuery = t.Object({
  page: t.Optional(t.Numeric({ minimum: 1 })),
  pageSize: t.Optional(t.Numeric({ minimum: 1, maximum: 100 })),
  userId: t.Optional(t.Numeric({ minimum: 1 })),
  all: t.Optional(t.BooleanString()),
}, { additionalProperties: false })

/** Typed forms. */
export type TokenCreate = Static<typeof TokenCreate>
export type TokenUpdate = Static<typeof TokenUpdate>
export type TokenView = Static<typeof TokenView>
