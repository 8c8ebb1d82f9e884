import { Value } from '@sinclair/typebox/value'
import { eq, ilike, sql, type AnyColumn, type SQL } from 'drizzle-orm'
import type { AppContext } from '../../app-context.ts'
import { queryRows, type Db } from '../../db/client.ts'
import { abilities, channels, type ChannelStatus } from '../../db/schema.ts'
import { GatewayError } from '../../errors.ts'
import { maskSecret } from '../../security/crypto.ts'
import { balanceReaderOf } from '../../routing/channel-balance.ts'
import type { CHANNEL_SORT_FIELDS, ChannelCreate, ChannelListQuery, ChannelUpdate, ChannelView } from '../../../schemas/admin/channels.ts'
import type { Actor } from '../../http/actor.ts'
import { explainValueError, fieldOf } from '../../http/errors.ts'
import { iso } from '../../http/api-base.ts'
import { likePattern, listPage } from '../../http/list-query.ts'

type ChannelRow = typeof channels.$inferSelect

/** The stored, non-secret fields of a channel, after defaults. */
interface ChannelFields {
  name: string
  type: string
  baseUrl: string | null
  models: string[]
  groups: string[]
  priority: number
  weight: number
  modelMapping: Record<string, string>
  status: ChannelStatus
  settings: Record<string, unknown>
  statusCodeMapping: Record<string, string>
  thinkingToContent: boolean
  keyMode: 'random' | 'round-robin'
  tags: string[]
  balanceSource: string | null
  balanceThreshold: number | null
  balanceAutoDisable: boolean
}

/** Channel tags as stored: trimmed, duplicates dropped, first spelling kept. */
export function uniqueTags(tags: string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim()))]
}

/** Splits the `key` field into keys: one per line, blanks dropped, duplicates removed. */
export function splitKeys(key: string): string[] {
  return [
    ...new Set(
      key
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean),
    ),
  ]
}

/** The first model whose mapping chain loops back on itself, if any; chains without loops are fine. */
export function findMappingCycle(mapping: Record<string, string>): string | undefined {
  for (const start of Object.keys(mapping)) {
    const seen = new Set([start])
    let current = mapping[start]
    while (current !== undefined) {
      if (seen.has(current)) return start
      seen.add(current)
      current = Object.hasOwn(mapping, current) ? mapping[current] : undefined
    }
  }
  return undefined
}

/** The last balance read as the admin API shows it; `reader` is the reader the channel uses now, if any. */
function toBalanceView(row: ChannelRow, reader: string | null): ChannelView['balance'] {
  const details = row.balanceDetails
  return {
    reader,
    amount: row.balanceAmount,
    currency: row.balanceCurrency,
    available: details?.available ?? null,
    details: details?.breakdown ?? {},
    readAt: iso(row.balanceReadAt),
    checkedAt: iso(row.balanceCheckedAt),
    error: row.balanceError,
    low: row.balanceLow,
  }
}

/** Shows a channel without its keys: only masked previews and how many there are; `reader` is its balance reader's id, if any. */
export function toChannelView(row: ChannelRow, reader: string | null = null): ChannelView {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    keys: row.keysPreview,
    keyCount: row.keysPreview.length,
    baseUrl: row.baseUrl,
    models: row.models,
    groups: row.groups,
    priority: row.priority,
    weight: row.weight,
    modelMapping: row.modelMapping,
    status: row.status,
    statusReason: row.statusReason,
    settings: row.settings,
    statusCodeMapping: row.statusCodeMapping,
    thinkingToContent: row.thinkingToContent,
    keyMode: row.keyMode,
    disabledKeys: Object.values(row.keyStates).map((state) => ({ reason: state.reason, at: state.at })),
    testLatencyMs: row.testLatencyMs,
    testedAt: iso(row.testedAt),
    usedQuota: row.usedQuota,
    tags: row.tags,
    balanceSource: row.balanceSource,
    balanceThreshold: row.balanceThreshold,
    balanceAutoDisable: row.balanceAutoDisable,
    balance: toBalanceView(row, reader),
    createdAt: iso(row.createdAt) ?? '',
    updatedAt: iso(row.updatedAt) ?? '',
  }
}

/** Checks what reaching the upstream needs: a registered type, a base URL (or the type's default) and valid settings. */
export function validateConnection(context: AppContext, channel: { type: string; baseUrl: string | null; settings: Record<string, unknown> }): void {
  const registered = context.registry.channelType(channel.type)
  if (!registered) {
    const known = context.registry
      .channelTypes()
      .map((entry) => entry.spec.id)
      .join(', ')
    throw new GatewayError(400, 'invalid_request', `type: unknown channel type "${channel.type}" (known: ${known})`, { param: 'type' })
  }
  if (!channel.baseUrl && !registered.spec.defaultBaseUrl) {
    throw new GatewayError(400, 'invalid_request', `baseUrl: required for channel type "${channel.type}", which has no default`, { param: 'baseUrl' })
  }
  const settingsError = Value.Errors(registered.spec.settings, channel.settings).First()
  if (settingsError) {
    const leaf = explainValueError(settingsError)
    const field = ['settings', fieldOf(leaf.path)].filter(Boolean).join('.')
    throw new GatewayError(400, 'invalid_request', `${field}: ${leaf.message}`, { param: field })
  }
}

/** Checks that a named balance reader is one of the channel type's. */
function validateBalanceSource(context: AppContext, channel: ChannelFields): void {
  if (channel.balanceSource === null) return
  const readers = context.registry.channelType(channel.type)?.spec.balanceReaders ?? []
  if (readers.some((reader) => reader.id === channel.balanceSource)) return
  const known = readers.length > 0 ? `known: ${readers.map((reader) => reader.id).join(', ')}` : 'it has none'
  throw new GatewayError(400, 'invalid_request', `balanceSource: channel type "${channel.type}" has no balance reader "${channel.balanceSource}" (${known})`, {
    param: 'balanceSource',
  })
}

/** Checks type, base URL, settings, model mapping and balance reader of a channel as it will be stored. */
export function validateChannel(context: AppContext, channel: ChannelFields): void {
  validateConnection(context, channel)
  validateBalanceSource(context, channel)
  const cycle = findMappingCycle(channel.modelMapping)
  if (cycle) throw new GatewayError(400, 'invalid_request', `modelMapping: the mapping of "${cycle}" loops back on itself`, { param: 'modelMapping' })
}

/** Rewrites a channel's abilities: one row per group × model, enabled when the channel is. */
export async function syncAbilities(tx: Db, row: ChannelRow): Promise<void> {
  await tx.delete(abilities).where(eq(abilities.channelId, row.id))
  const rows = row.groups.flatMap((group) =>
    row.models.map((model) => ({
      group,
      model,
      channelId: row.id,
      priority: row.priority,
      weight: row.weight,
      enabled: row.status === 'enabled',
    })),
  )
  for (let start = 0; start < rows.length; start += 1000) await tx.insert(abilities).values(rows.slice(start, start + 1000))
}

/** Runs `work` in one transaction with the shared Db type (both drivers' transactions are Db-shaped). */
export function inTransaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction((tx) => work(tx as unknown as Db))
}

/** The create body with every default applied. */
function createFields(input: ChannelCreate): ChannelFields {
  return {
    name: input.name,
    type: input.type,
    baseUrl: input.baseUrl ?? null,
    models: [...new Set(input.models)],
    groups: [...new Set(input.groups ?? ['default'])],
    priority: input.priority ?? 0,
    weight: input.weight ?? 1,
    modelMapping: input.modelMapping ?? {},
    status: input.status ?? 'enabled',
    settings: input.settings ?? {},
    statusCodeMapping: input.statusCodeMapping ?? {},
    thinkingToContent: input.thinkingToContent ?? false,
    keyMode: input.keyMode ?? 'random',
    tags: uniqueTags(input.tags ?? []),
    balanceSource: input.balanceSource ?? null,
    balanceThreshold: input.balanceThreshold ?? null,
    balanceAutoDisable: input.balanceAutoDisable ?? false,
  }
}

/** The stored channel with the given changes applied. */
function updatedFields(current: ChannelRow, input: ChannelUpdate): ChannelFields {
  return {
    name: input.name ?? current.name,
    type: input.type ?? current.type,
    baseUrl: input.baseUrl === undefined ? current.baseUrl : input.baseUrl,
    models: input.models ? [...new Set(input.models)] : current.models,
    groups: input.groups ? [...new Set(input.groups)] : current.groups,
    priority: input.priority ?? current.priority,
    weight: input.weight ?? current.weight,
    modelMapping: input.modelMapping ?? current.modelMapping,
    status: input.status ?? current.status,
    settings: input.settings ?? current.settings,
    statusCodeMapping: input.statusCodeMapping ?? current.statusCodeMapping,
    thinkingToContent: input.thinkingToContent ?? current.thinkingToContent,
    keyMode: input.keyMode ?? current.keyMode,
    tags: input.tags ? uniqueTags(input.tags) : current.tags,
    balanceSource: input.balanceSource === undefined ? current.balanceSource : input.balanceSource,
    balanceThreshold: input.balanceThreshold === undefined ? current.balanceThreshold : input.balanceThreshold,
    balanceAutoDisable: input.balanceAutoDisable ?? current.balanceAutoDisable,
  }
}

/** Channel persistence: keys sealed at rest, abilities kept in step in the same transaction, caches told. */
export interface ChannelService {
  /** Creates a channel with its abilities. */
  create(actor: Actor, input: ChannelCreate): Promise<ChannelView>
  /** Updates the given fields; a new `key` replaces all keys. */
  update(actor: Actor, id: number, input: ChannelUpdate): Promise<ChannelView>
  /** Deletes a channel and its abilities. */
  remove(actor: Actor, id: number): Promise<void>
  /** One channel, or 404. */
  get(id: number): Promise<ChannelView>
  /** A filtered page of channels, newest first unless `sort` says otherwise. */
  list(query: ChannelListQuery): Promise<{ items: ChannelView[]; total: number; page: number; pageSize: number }>
  /** Every tag in use with the number of channels carrying it, by name. */
  tagCounts(): Promise<Array<{ tag: string; count: number }>>
}

/** Columns the `sort` parameter may name. */
const sortColumns: Record<(typeof CHANNEL_SORT_FIELDS)[number], AnyColumn> = {
  id: channels.id,
  name: channels.name,
  priority: channels.priority,
  weight: channels.weight,
  status: channels.status,
  testLatencyMs: channels.testLatencyMs,
  usedQuota: channels.usedQuota,
  createdAt: channels.createdAt,
}

/** Channels carrying `tag`, as a JSONB containment test the GIN index on `tags` answers. */
export function hasTag(tag: string): SQL {
  return sql`${channels.tags} @> ${JSON.stringify([tag])}::jsonb`
}

async function findChannel(db: Db, id: number): Promise<ChannelRow> {
  const [row] = await db.select().from(channels).where(eq(channels.id, id))
  if (!row) throw new GatewayError(404, 'not_found', `Channel ${id} does not exist`)
  return row
}

/** Seals the keys (JSON array) for storage and keeps masked previews for display. */
function sealKeys(context: AppContext, key: string): { keysEncrypted: string; keysPreview: string[] } {
  const keys = splitKeys(key)
  if (keys.length === 0) throw new GatewayError(400, 'invalid_request', 'key: at least one non-blank key is required', { param: 'key' })
  return { keysEncrypted: context.secretBox.seal(JSON.stringify(keys)), keysPreview: keys.map(maskSecret) }
}

/** Writes a `manage` audit row about one channel. */
export function auditChannel(context: AppContext, actor: Actor, channelId: number, content: string, details: Record<string, unknown>): void {
  context.logWriter.write({ type: 'manage', userId: actor.id, username: actor.username, channelId, content, details: { channelId, ...details } })
}

/** Builds the channel service over the context's database. */
export function createChannelService(context: AppContext): ChannelService {
  const db = context.database.db
  const view = (row: ChannelRow) => toChannelView(row, balanceReaderOf(context, row)?.id ?? null)

  return {
    async create(actor, input) {
      const fields = createFields(input)
      validateChannel(context, fields)
      const secrets = sealKeys(context, input.key)
      const row = await inTransaction(db, async (tx) => {
        const [created] = await tx
          .insert(channels)
          .values({ ...fields, ...secrets })
          .returning()
        await syncAbilities(tx, created!)
        return created!
      })
      await context.bus.publish('channels')
      auditChannel(context, actor, row.id, `channel ${row.id} "${row.name}" created`, { type: row.type })
      return view(row)
    },

    async update(actor, id, input) {
      const current = await findChannel(db, id)
      const fields = updatedFields(current, input)
      validateChannel(context, fields)
      // New keys, or an admin enabling the channel, put every key back into rotation.
      const secrets = input.key === undefined ? (input.status === 'enabled' ? { keyStates: {} } : {}) : { ...sealKeys(context, input.key), keyStates: {} }
      const statusReason = input.status === undefined ? current.statusReason : input.status === 'enabled' ? null : `disabled by ${actor.username}`
      const row = await inTransaction(db, async (tx) => {
        const [updated] = await tx
          .update(channels)
          .set({ ...fields, ...secrets, statusReason, updatedAt: context.now() })
          .where(eq(channels.id, id))
          .returning()
        if (!updated) throw new GatewayError(404, 'not_found', `Channel ${id} does not exist`)
        await syncAbilities(tx, updated)
        return updated
      })
      await context.bus.publish('channels')
      auditChannel(context, actor, id, `channel ${id} "${row.name}" updated`, { fields: Object.keys(input).sort() })
      return view(row)
    },

    async remove(actor, id) {
      const current = await findChannel(db, id)
      await inTransaction(db, async (tx) => {
        await tx.delete(abilities).where(eq(abilities.channelId, id))
        await tx.delete(channels).where(eq(channels.id, id))
      })
      await context.bus.publish('channels')
      auditChannel(context, actor, id, `channel ${id} "${current.name}" deleted`, {})
    },

    async get(id) {
      return view(await findChannel(db, id))
    },

    async list(query) {
      const filters: SQL[] = []
      if (query.type) filters.push(eq(channels.type, query.type))
      if (query.status) filters.push(eq(channels.status, query.status))
      if (query.q) filters.push(ilike(channels.name, likePattern(query.q)))
      if (query.tag) filters.push(hasTag(query.tag))
      const { rows, ...counts } = await listPage(db, channels, channels.id, filters, query, sortColumns)
      return { items: rows.map(view), ...counts }
    },

    async tagCounts() {
      const result = await db.execute(
        sql`select carried.tag, count(*) as count from ${channels}, jsonb_array_elements_text(${channels.tags}) as carried(tag) group by carried.tag order by carried.tag`,
      )
      return queryRows<{ tag: string; count: string | number }>(result).map((row) => ({ tag: row.tag, count: Number(row.count) }))
    },
  }
}
