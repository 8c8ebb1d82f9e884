import { Value } from '@sinclair/typebox/value'
import { and, count, desc, eq, ilike, type SQL } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import type { Db } from '../db/client.ts'
import { abilities, channels } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { maskSecret } from '../security/crypto.ts'
import type { ChannelCreate, ChannelUpdate, ChannelView } from '../../schemas/admin/channels.ts'
import type { Actor } from './auth.ts'
import { iso } from './http.ts'

type ChannelRow = typeof channels.$inferSelect

/** Splits the `key` field into keys: one per line, blanks dropped, duplicates removed. */
export function splitKeys(key: string): string[] {
  return [...new Set(key.split(/\r?\n/).map((line) => line.trim()).filter(Boolean))]
}

/** The first model whose mapping chain loops back on itself, if any. */
export function findMappingCycle(mapping: Record<string, string>): string | undefined {
  for (const start of Object.keys(mapping)) {
    const seen = new Set([start])
    let current = mapping[start]
    while (current !== undefined) {
      if (seen.has(current)) return start
      seen.add(current)
      current = mapping[current]
    }
  }
  return undefined
}

/** Shows a channel without its keys. */
export function toChannelView(row: ChannelRow): ChannelView {
  return {
    id: row.id, name: row.name, type: row.type, keys: row.keysPreview, keyCount: row.keysPreview.length, baseUrl: row.baseUrl,
    models: row.models, groups: row.groups, priority: row.priority, weight: row.weight, modelMapping: row.modelMapping,
    status: row.status, statusReason: row.statusReason, settings: row.settings, usedQuota: row.usedQuota,
    createdAt: iso(row.createdAt) ?? '', updatedAt: iso(row.updatedAt) ?? '',
  }
}

/** Checks type, base URL, settings and mapping of a channel as it will be stored. */
function validateChannel(context: AppContext, channel: { type: string; baseUrl: string | null; settings: Record<string, unknown>; modelMapping: Record<string, string> }): void {
  const registered = context.registry.channelType(channel.type)
  if (!registered) {
    const known = context.registry.channelTypes().map((entry) => entry.spec.id).join(', ')
    throw new GatewayError(400, 'invalid_request', `type: unknown channel type "${channel.type}" (known: ${known})`, { param: 'type' })
  }
  if (!channel.baseUrl && !registered.spec.defaultBaseUrl) throw new GatewayError(400, 'invalid_request', `baseUrl: required for channel type "${channel.type}"`, { param: 'baseUrl' })
  const settingsError = Value.Errors(registered.spec.settings, channel.settings).First()
  if (settingsError) {
    const field = `settings${settingsError.path.replaceAll('/', '.')}`
    throw new GatewayError(400, 'invalid_request', `${field}: ${settingsError.message}`, { param: field })
  }
  const cycle = findMappingCycle(channel.modelMapping)
  if (cycle) throw new GatewayError(400, 'invalid_request', `modelMapping: mapping of "${cycle}" loops back on itself`, { param: 'modelMapping' })
}

/** Rewrites a channel's abilities: one row per group × model, enabled when the channel is. */
async function syncAbilities(tx: Db, row: ChannelRow): Promise<void> {
  await tx.delete(abilities).where(eq(abilities.channelId, row.id))
  const rows = row.groups.flatMap((group) => row.models.map((model) => ({ group, model, channelId: row.id, priority: row.priority, weight: row.weight, enabled: row.status === 'enabled' })))
  for (let start = 0; start < rows.length; start += 1000) await tx.insert(abilities).values(rows.slice(start, start + 1000))
}

function audit(context: AppContext, actor: Actor, content: string, details: Record<string, unknown>) {
  context.logWriter.write({ type: 'manage', userId: actor.id, username: actor.username, content, details })
}

/** Channel persistence: keys sealed at rest, abilities kept in step, caches told. */
export function createChannelService(context: AppContext) {
  const db = context.database.db

  async function find(id: number): Promise<ChannelRow> {
    const [row] = await db.select().from(channels).where(eq(channels.id, id))
    if (!row) throw new GatewayError(404, 'not_found', `Channel ${id} does not exist`)
    return row
  }

  function sealKeys(key: string): { keysEncrypted: string; keysPreview: string[] } {
    const keys = splitKeys(key)
    if (keys.length === 0) throw new GatewayError(400, 'invalid_request', 'key: at least one key is required', { param: 'key' })
    return { keysEncrypted: context.secretBox.seal(JSON.stringify(keys)), keysPreview: keys.map(maskSecret) }
  }

  return {
    /** Creates a channel with its abilities. */
    async create(actor: Actor, input: ChannelCreate): Promise<ChannelView> {
      const values = {
        name: input.name, type: input.type, baseUrl: input.baseUrl ?? null, models: [...new Set(input.models)], groups: [...new Set(input.groups ?? ['default'])],
        priority: input.priority ?? 0, weight: input.weight ?? 1, modelMapping: input.modelMapping ?? {}, status: input.status ?? 'enabled', settings: input.settings ?? {},
      }
      validateChannel(context, values)
      const row = await db.transaction(async (tx) => {
        const [created] = await tx.insert(channels).values({ ...values, ...sealKeys(input.key) }).returning()
        await syncAbilities(tx as unknown as Db, created!)
        return created!
      })
      await context.bus.publish('channels')
      audit(context, actor, `channel ${row.id} "${row.name}" created`, { channelId: row.id, type: row.type })
      return toChannelView(row)
    },

    /** Updates the given fields; a new `key` replaces all keys. */
    async update(actor: Actor, id: number, input: ChannelUpdate): Promise<ChannelView> {
      const current = await find(id)
      const next = {
        name: input.name ?? current.name, type: input.type ?? current.type, baseUrl: input.baseUrl === undefined ? current.baseUrl : input.baseUrl,
        models: input.models ? [...new Set(input.models)] : current.models, groups: input.groups ? [...new Set(input.groups)] : current.groups,
        priority: input.priority ?? current.priority, weight: input.weight ?? current.weight, modelMapping: input.modelMapping ?? current.modelMapping,
        status: input.status ?? current.status, settings: input.settings ?? current.settings,
      }
      validateChannel(context, next)
      const statusReason = input.status ? (input.status === 'enabled' ? null : `disabled by ${actor.username}`) : current.statusReason
      const row = await db.transaction(async (tx) => {
        const [updated] = await tx.update(channels).set({ ...next, statusReason, ...(input.key ? sealKeys(input.key) : {}), updatedAt: new Date() }).where(eq(channels.id, id)).returning()
        await syncAbilities(tx as unknown as Db, updated!)
        return updated!
      })
      await context.bus.publish('channels')
      audit(context, actor, `channel ${id} "${row.name}" updated`, { channelId: id, fields: Object.keys(input).filter((field) => field !== 'key').concat(input.key ? ['key'] : []) })
      return toChannelView(row)
    },

    /** Deletes a channel and its abilities. */
    async remove(actor: Actor, id: number): Promise<void> {
      const current = await find(id)
      await db.transaction(async (tx) => {
        await tx.delete(abilities).where(eq(abilities.channelId, id))
        await tx.delete(channels).where(eq(channels.id, id))
      })
      await context.bus.publish('channels')
      audit(context, actor, `channel ${id} "${current.name}" deleted`, { channelId: id })
    },

    /** One channel. */
    async get(id: number): Promise<ChannelView> {
      return toChannelView(await find(id))
    },

    /** A filtered page of channels, newest first. */
    async list(query: { page?: number; pageSize?: number; type?: string; status?: string; q?: string }) {
      const page = query.page ?? 1
      const pageSize = query.pageSize ?? 20
      const filters: SQL[] = []
      if (query.type) filters.push(eq(channels.type, query.type))
      if (query.status) filters.push(eq(channels.status, query.status as ChannelRow['status']))
      if (query.q) filters.push(ilike(channels.name, `%${query.q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`))
      const where = filters.length > 0 ? and(...filters) : undefined
      const [total] = await db.select({ value: count() }).from(channels).where(where)
      const rows = await db.select().from(channels).where(where).orderBy(desc(channels.id)).limit(pageSize).offset((page - 1) * pageSize)
      return { items: rows.map(toChannelView), total: total?.value ?? 0, page, pageSize }
    },
  }
}
