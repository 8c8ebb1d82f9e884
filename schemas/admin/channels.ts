import { t, type Static } from 'elysia'
import { GroupName, ModelName, Name, Timestamp, Units } from './common.ts'

const ChannelStatusInput = t.Union([t.Literal('enabled'), t.Literal('manually-disabled')])
const BaseUrl = t.String({ maxLength: 2048, pattern: '^https?://[^\\s]+$', description: 'http(s) URL of the upstream API root' })
const Keys = t.String({ minLength: 1, maxLength: 65_536, description: 'One key, or several separated by newlines (multi-key channel)' })
const ModelMapping = t.Record(ModelName, ModelName, { description: 'Requested model → upstream model; chains allowed, cycles rejected' })

/** POST /api/channels body. */
export const ChannelCreate = t.Object({
  name: Name,
  type: t.String({ minLength: 1, maxLength: 40 }),
  key: Keys,
  baseUrl: t.Optional(t.Union([BaseUrl, t.Null()])),
  models: t.Array(ModelName, { minItems: 1, maxItems: 1000 }),
  groups: t.Optional(t.Array(GroupName, { minItems: 1, maxItems: 100 })),
  priority: t.Optional(t.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
  weight: t.Optional(t.Integer({ minimum: 0, maximum: 1_000_000 })),
  modelMapping: t.Optional(ModelMapping),
  status: t.Optional(ChannelStatusInput),
  settings: t.Optional(t.Record(t.String(), t.Unknown())),
}, { additionalProperties: false })

/** PATCH /api/channels/:id body: any subset of the create fields. */
export const ChannelUpdate = t.Partial(ChannelCreate, { additionalProperties: false, minProperties: 1 })

/** A channel as the admin API shows it; keys only masked. */
export const ChannelView = t.Object({
  id: t.Integer(),
  name: t.String(),
  type: t.String(),
  keys: t.Array(t.String(), { description: 'Masked keys' }),
  keyCount: t.Integer(),
  baseUrl: t.Union([t.String(), t.Null()]),
  models: t.Array(t.String()),
  groups: t.Array(t.String()),
  priority: t.Integer(),
  weight: t.Integer(),
  modelMapping: t.Record(t.String(), t.String()),
  status: t.String(),
  statusReason: t.Union([t.String(), t.Null()]),
  settings: t.Record(t.String(), t.Unknown()),
  usedQuota: Units,
  createdAt: Timestamp,
  updatedAt: Timestamp,
})

/** Typed forms. */
export type ChannelCreate = Static<typeof ChannelCreate>
export type ChannelUpdate = Static<typeof ChannelUpdate>
export type ChannelView = Static<typeof ChannelView>

/** GET /api/channels query. */
export const ChannelListQuery = t.Object({
  page: t.Optional(t.Numeric({ minimum: 1 })),
  pageSize: t.Optional(t.Numeric({ minimum: 1, maximum: 100 })),
  type: t.Optional(t.String({ maxLength: 40 })),
  status: t.Optional(t.Union([t.Literal('enabled'), t.Literal('manually-disabled'), t.Literal('auto-disabled')])),
  q: t.Optional(t.String({ maxLength: 128 })),
}, { additionalProperties: false })
