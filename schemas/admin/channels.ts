import { t, type Static } from 'elysia'
import { GroupName, ModelName, Name, Pagination, SortParameter, Timestamp, Units } from './common.ts'

const ChannelStatusInput = t.Union([t.Literal('enabled'), t.Literal('manually-disabled')])
const ChannelStatus = t.Union([t.Literal('enabled'), t.Literal('manually-disabled'), t.Literal('auto-disabled')])
const BaseUrl = t.String({
  maxLength: 2048,
  pattern: '^https?://[^\\s/?#]+[^\\s]*$',
  description: 'http(s) URL of the upstream API root',
  error: 'must be an http(s) URL',
})
const Keys = t.String({ minLength: 1, maxLength: 16_384, description: 'One key, or several separated by newlines (multi-key channel)' })
const ModelMapping = t.Record(ModelName, ModelName, { description: 'Requested model → upstream model; chains allowed (a→b→c), cycles rejected' })
const StatusCode = t.String({ pattern: '^[1-5][0-9][0-9]$', error: 'must be an HTTP status code such as "400"' })
// Without additionalProperties: false, keys that do not match the key pattern would pass unchecked, values and all.
const StatusCodeMapping = t.Record(StatusCode, StatusCode, {
  additionalProperties: false,
  description: 'Upstream status → status the gateway acts on, e.g. {"400": "500"} to retry 400s on another channel',
})
const Settings = t.Record(t.String({ maxLength: 128 }), t.Unknown(), {
  description: "Type-specific settings, validated against the channel type's settings schema",
})

/** Most tags one channel may carry. */
export const MAX_CHANNEL_TAGS = 20

/** A channel tag: a short label in any script, without spaces, separators, quotes or URL symbols. */
export const ChannelTag = t.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[^\\s,;/\\\\?#&%"\'<>]+$',
  description: 'A short label: 1–32 characters, no spaces and none of , ; / \\ ? # & % " \' < >',
  error: 'must be 1–32 characters without spaces, separators, quotes or URL symbols',
})
const Tags = t.Array(ChannelTag, {
  maxItems: MAX_CHANNEL_TAGS,
  description: `Labels for filtering and batch actions; duplicates are dropped; at most ${MAX_CHANNEL_TAGS}`,
})

/** A balance reader id of the channel's type (GET /api/channel-types lists them). */
const BalanceSource = t.String({
  minLength: 1,
  maxLength: 40,
  pattern: '^[a-z][a-z0-9-]*$',
  error: 'must be a balance reader id such as "openrouter"',
  description: "Which balance reader to use (an id from the type's balanceReaders); null picks one by the base URL's host",
})
const BalanceThreshold = t.Number({
  minimum: 0,
  maximum: 1_000_000_000,
  description: "Flag the channel when its upstream balance is below this amount, in the balance's currency; null for no threshold",
})

/** POST /api/channels body. */
export const ChannelCreate = t.Object(
  {
    name: Name,
    type: t.String({ minLength: 1, maxLength: 64, description: 'A registered channel type id (GET /api/channel-types)' }),
    key: Keys,
    baseUrl: t.Optional(t.Union([BaseUrl, t.Null()])),
    models: t.Array(ModelName, { minItems: 1, maxItems: 1000 }),
    groups: t.Optional(t.Array(GroupName, { minItems: 1, maxItems: 100, description: 'Default ["default"]' })),
    priority: t.Optional(t.Integer({ minimum: -1_000_000, maximum: 1_000_000, description: 'Higher tiers are tried first; default 0' })),
    weight: t.Optional(t.Integer({ minimum: 0, maximum: 1_000_000, description: 'Share inside a priority tier; default 1' })),
    modelMapping: t.Optional(ModelMapping),
    status: t.Optional(ChannelStatusInput),
    settings: t.Optional(Settings),
    statusCodeMapping: t.Optional(StatusCodeMapping),
    thinkingToContent: t.Optional(t.Boolean({ description: 'Send reasoning as <think>…</think> inside the content' })),
    keyMode: t.Optional(
      t.Union([t.Literal('random'), t.Literal('round-robin')], { description: 'How a multi-key channel picks a key per call; default random' }),
    ),
    tags: t.Optional(Tags),
    balanceSource: t.Optional(t.Union([BalanceSource, t.Null()])),
    balanceThreshold: t.Optional(t.Union([BalanceThreshold, t.Null()])),
    balanceAutoDisable: t.Optional(
      t.Boolean({
        description: 'Disable the channel when its balance falls below the threshold, and enable it again when a later read finds it recovered; default false',
      }),
    ),
  },
  { additionalProperties: false },
)

/** PATCH /api/channels/:id body: any subset of the create fields; a new `key` replaces every key. */
export const ChannelUpdate = t.Partial(ChannelCreate, { additionalProperties: false, minProperties: 1 })

/** The last balance read of a channel's upstream account. */
export const ChannelBalance = t.Object({
  reader: t.Union([t.String(), t.Null()], {
    description: "The balance reader in use (balanceSource, or the one the base URL's host picks); null when this channel's balance cannot be read",
  }),
  amount: t.Union([t.Number(), t.Null()], {
    description: "Spendable balance at the last successful read, in `currency` (the vendor's money, not quota units)",
  }),
  currency: t.Union([t.String(), t.Null()], { description: 'ISO 4217 code, e.g. USD or CNY' }),
  available: t.Union([t.Boolean(), t.Null()], { description: 'False when the vendor said the account cannot serve calls; null when it did not say' }),
  details: t.Record(t.String(), t.Union([t.Number(), t.String(), t.Boolean()]), {
    description: "The vendor's breakdown (granted, toppedUp, voucher, cash, …)",
  }),
  readAt: t.Union([Timestamp, t.Null()], { description: 'When the balance was last read successfully' }),
  checkedAt: t.Union([Timestamp, t.Null()], { description: 'When a read was last tried' }),
  error: t.Union([t.String(), t.Null()], { description: 'Why the last read failed; null when it succeeded' }),
  low: t.Boolean({ description: 'True while the last read was below the threshold or the vendor said the account cannot be used' }),
})

/** A channel as the admin API shows it; keys only masked. */
export const ChannelView = t.Object({
  id: t.Integer(),
  name: t.String(),
  type: t.String(),
  keys: t.Array(t.String(), { description: 'Masked keys, never the keys themselves' }),
  keyCount: t.Integer(),
  baseUrl: t.Union([t.String(), t.Null()]),
  models: t.Array(t.String()),
  groups: t.Array(t.String()),
  priority: t.Integer(),
  weight: t.Integer(),
  modelMapping: t.Record(t.String(), t.String()),
  status: ChannelStatus,
  statusReason: t.Union([t.String(), t.Null()]),
  settings: t.Record(t.String(), t.Unknown()),
  statusCodeMapping: t.Record(t.String(), t.String()),
  thinkingToContent: t.Boolean(),
  keyMode: t.Union([t.Literal('random'), t.Literal('round-robin')]),
  disabledKeys: t.Array(t.Object({ reason: t.String(), at: t.String() }), { description: 'Keys taken out of rotation by health checks' }),
  testLatencyMs: t.Union([t.Integer(), t.Null()]),
  testedAt: t.Union([Timestamp, t.Null()]),
  usedQuota: Units,
  tags: t.Array(t.String()),
  balanceSource: t.Union([t.String(), t.Null()]),
  balanceThreshold: t.Union([t.Number(), t.Null()]),
  balanceAutoDisable: t.Boolean(),
  balance: ChannelBalance,
  createdAt: Timestamp,
  updatedAt: Timestamp,
})

/** Fields channel lists can be sorted by. */
export const CHANNEL_SORT_FIELDS = ['id', 'name', 'priority', 'weight', 'status', 'testLatencyMs', 'usedQuota', 'createdAt'] as const

/** GET /api/channels query. */
export const ChannelListQuery = t.Object({
  ...Pagination,
  type: t.Optional(t.String({ maxLength: 64 })),
  status: t.Optional(ChannelStatus),
  q: t.Optional(t.String({ maxLength: 128, description: 'Part of the channel name' })),
  tag: t.Optional(t.String({ minLength: 1, maxLength: 32, description: 'Only channels carrying this tag' })),
  sort: SortParameter(CHANNEL_SORT_FIELDS),
})

/** A tag in use and how many channels carry it. */
export const ChannelTagCount = t.Object({ tag: t.String(), count: t.Integer() })

/** A channel type from the loaded plugins, with the settings form schema. */
export const ChannelTypeView = t.Object({
  id: t.String(),
  label: t.String(),
  plugin: t.String(),
  defaultBaseUrl: t.Union([t.String(), t.Null()]),
  settingsSchema: t.Record(t.String(), t.Unknown()),
  balanceReaders: t.Array(
    t.Object({
      id: t.String({ description: 'What a channel puts in balanceSource' }),
      label: t.String(),
      hosts: t.Array(t.String(), { description: 'Base URL hosts that pick this reader when a channel names none' }),
    }),
    { description: "Ways this type can read its upstream account's balance; empty when it cannot" },
  ),
})

/** What refreshing one channel's balance found. */
export const BalanceRefreshOutcome = t.Object({
  channelId: t.Integer(),
  ok: t.Boolean({ description: 'True when the balance was read' }),
  amount: t.Union([t.Number(), t.Null()]),
  currency: t.Union([t.String(), t.Null()]),
  error: t.Union([t.String(), t.Null()], { description: 'Why the read failed' }),
  low: t.Boolean({ description: 'Flagged for a low balance after this read' }),
  change: t.Union([t.Literal('disabled'), t.Literal('enabled'), t.Null()], { description: "What the read changed in the channel's rotation" }),
})

/** POST /api/channels/balances/refresh answer. */
export const BalanceRefreshSummary = t.Object({
  refreshed: t.Integer({ description: 'Channels whose balance was read' }),
  failed: t.Integer({ description: 'Channels whose read failed (the error is stored on the channel)' }),
  skipped: t.Integer({ description: 'Channels whose balance cannot be read (no reader for their type or host)' }),
  outcomes: t.Array(BalanceRefreshOutcome),
})

/** Typed POST /api/channels body. */
export type ChannelCreate = Static<typeof ChannelCreate>
/** Typed PATCH /api/channels/:id body. */
export type ChannelUpdate = Static<typeof ChannelUpdate>
/** Typed channel view. */
export type ChannelView = Static<typeof ChannelView>
/** Typed GET /api/channels query. */
export type ChannelListQuery = Static<typeof ChannelListQuery>
