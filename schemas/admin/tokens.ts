import { t, type Static } from 'elysia'
import { GroupName, IntegerParameter, Name, Pagination, SortParameter, Timestamp, Units } from './common.ts'

// Model names are free text (channels may serve any name), so the one rule here, `*` only at the
// end, is checked by the token service rather than by a pattern.
const ModelPattern = t.String({ minLength: 1, maxLength: 200, description: 'A model name, or a prefix ending in `*`' })
const IpEntry = t.String({ minLength: 2, maxLength: 64, description: 'IP address or CIDR range' })
const Expiry = t.Union([t.String({ format: 'date-time' }), t.Null()], { description: 'ISO date-time, or null for never' })
const ModelAllowlist = t.Union([t.Array(ModelPattern, { maxItems: 1000 }), t.Null()], { description: 'null allows every model' })
const IpAllowlist = t.Union([t.Array(IpEntry, { maxItems: 1000 }), t.Null()], { description: 'null allows any address' })
const TokenGroup = t.Union([GroupName, t.Null()], { description: "Routing and pricing group; null uses the owner's group" })

/** POST /api/tokens body. */
export const TokenCreate = t.Object(
  {
    name: Name,
    quota: t.Optional(Units),
    unlimited: t.Optional(t.Boolean({ description: 'Ignore the token quota (the owner quota still applies); default false' })),
    models: t.Optional(ModelAllowlist),
    ipAllowlist: t.Optional(IpAllowlist),
    group: t.Optional(TokenGroup),
    expiresAt: t.Optional(Expiry),
    userId: t.Optional(t.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Admins only: create the key for this user' })),
  },
  { additionalProperties: false },
)

/** PATCH /api/tokens/:id body; `quota` sets the remaining quota. */
export const TokenUpdate = t.Object(
  {
    name: t.Optional(Name),
    quota: t.Optional(Units),
    unlimited: t.Optional(t.Boolean()),
    models: t.Optional(ModelAllowlist),
    ipAllowlist: t.Optional(IpAllowlist),
    group: t.Optional(TokenGroup),
    expiresAt: t.Optional(Expiry),
    status: t.Optional(t.Union([t.Literal('enabled'), t.Literal('disabled')])),
  },
  { additionalProperties: false, minProperties: 1 },
)

/** A relay key as the admin API shows it: never the key itself. */
export const TokenView = t.Object({
  id: t.Integer(),
  userId: t.Integer(),
  name: t.String(),
  keyPreview: t.String(),
  status: t.Union([t.Literal('enabled'), t.Literal('disabled')]),
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
export const TokenCreated = t.Composite([
  TokenView,
  t.Object({ key: t.String({ description: 'The API key; only its hash is stored, so it cannot be shown again' }) }),
])

/** Fields token lists can be sorted by. */
export const TOKEN_SORT_FIELDS = ['id', 'name', 'remainQuota', 'usedQuota', 'expiresAt', 'lastUsedAt', 'createdAt'] as const

/** GET /api/tokens query. */
export const TokenListQuery = t.Object({
  ...Pagination,
  sort: SortParameter(TOKEN_SORT_FIELDS),
  userId: t.Optional(IntegerParameter('userId', { description: "Admins only: that user's keys" })),
  all: t.Optional(t.Boolean({ description: "Admins only: every user's keys" })),
})

/** Typed POST /api/tokens body. */
export type TokenCreate = Static<typeof TokenCreate>
/** Typed PATCH /api/tokens/:id body. */
export type TokenUpdate = Static<typeof TokenUpdate>
/** Typed token view. */
export type TokenView = Static<typeof TokenView>
/** Typed GET /api/tokens query. */
export type TokenListQuery = Static<typeof TokenListQuery>
