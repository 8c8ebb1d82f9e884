import { asc, eq, inArray } from 'drizzle-orm'
import type { AppContext } from '../../app-context.ts'
import type { Db } from '../../db/client.ts'
import { abilities, channels } from '../../db/schema.ts'
import { GatewayError } from '../../errors.ts'
import { MAX_CHANNEL_TAGS } from '../../../schemas/admin/channels.ts'
import type { ChannelBatch, ChannelBatchResult } from '../../../schemas/admin/channel-actions.ts'
import type { Actor } from '../../http/actor.ts'
import { auditChannel, hasTag, inTransaction, uniqueTags } from './channel-service.ts'

type ChannelRow = typeof channels.$inferSelect
type BatchAction = ChannelBatch['action']

/** The body field each action needs besides the selection; the others must be absent. */
const argumentOf: Record<BatchAction, 'tags' | 'priority' | 'weight' | undefined> = {
  enable: undefined,
  disable: undefined,
  delete: undefined,
  'add-tags': 'tags',
  'remove-tags': 'tags',
  'set-priority': 'priority',
  'set-weight': 'weight',
}

/** Past tense of each action, for audit rows. */
const verbOf: Record<BatchAction, string> = {
  enable: 'enabled',
  disable: 'disabled',
  delete: 'deleted',
  'add-tags': 'tagged',
  'remove-tags': 'untagged',
  'set-priority': 'given a new priority',
  'set-weight': 'given a new weight',
}

/** Refuses bodies whose selection or arguments do not fit the action; 400 naming the field. */
export function checkBatch(batch: ChannelBatch): void {
  if ((batch.ids === undefined) === (batch.tag === undefined)) {
    throw new GatewayError(400, 'invalid_request', 'ids: choose the channels by ids or by tag, exactly one of the two', { param: 'ids' })
  }
  const needed = argumentOf[batch.action]
  for (const field of ['tags', 'priority', 'weight'] as const) {
    if (field === needed && batch[field] === undefined)
      throw new GatewayError(400, 'invalid_request', `${field}: required by the ${batch.action} action`, { param: field })
    if (field !== needed && batch[field] !== undefined)
      throw new GatewayError(400, 'invalid_request', `${field}: not used by the ${batch.action} action`, { param: field })
  }
}

/** The new tags of a channel under add-tags / remove-tags; more than the limit is a 400 naming the channel. */
export function retag(row: Pick<ChannelRow, 'id' | 'tags'>, action: 'add-tags' | 'remove-tags', tags: string[]): string[] {
  const wanted = uniqueTags(tags)
  if (action === 'remove-tags') return row.tags.filter((tag) => !wanted.includes(tag))
  const next = uniqueTags([...row.tags, ...wanted])
  if (next.length > MAX_CHANNEL_TAGS)
    throw new GatewayError(400, 'invalid_request', `tags: channel ${row.id} would carry ${next.length} tags; at most ${MAX_CHANNEL_TAGS}`, { param: 'tags' })
  return next
}

/** The selected channels, locked for the transaction; unknown ids are a 404 naming them, before anything changes. */
async function lockSelection(tx: Db, batch: ChannelBatch): Promise<ChannelRow[]> {
  const where = batch.ids ? inArray(channels.id, [...new Set(batch.ids)]) : hasTag(batch.tag ?? '')
  const rows = await tx.select().from(channels).where(where).orderBy(asc(channels.id)).for('update')
  if (batch.ids) {
    const found = new Set(rows.map((row) => row.id))
    const missing = [...new Set(batch.ids)].filter((id) => !found.has(id)).sort((a, b) => a - b)
    if (missing.length > 0) {
      const shown = missing.slice(0, 20).join(', ') + (missing.length > 20 ? `, … (${missing.length} in all)` : '')
      throw new GatewayError(404, 'not_found', `ids: no channel has id ${shown}; nothing was changed`, { param: 'ids' })
    }
  }
  return rows
}

/** Applies the action to the locked rows, abilities included, in the caller's transaction. */
async function apply(context: AppContext, tx: Db, actor: Actor, batch: ChannelBatch, rows: ChannelRow[]): Promise<void> {
  const ids = rows.map((row) => row.id)
  const now = context.now()
  switch (batch.action) {
    case 'enable':
    case 'disable': {
      const enabled = batch.action === 'enable'
      // As with a single update: an admin enabling a channel puts every key back into rotation.
      const status = enabled
        ? { status: 'enabled' as const, statusReason: null, keyStates: {} }
        : { status: 'manually-disabled' as const, statusReason: `disabled by ${actor.username}` }
      await tx
        .update(channels)
        .set({ ...status, updatedAt: now })
        .where(inArray(channels.id, ids))
      await tx.update(abilities).set({ enabled }).where(inArray(abilities.channelId, ids))
      return
    }
    case 'delete':
      await tx.delete(abilities).where(inArray(abilities.channelId, ids))
      await tx.delete(channels).where(inArray(channels.id, ids))
      return
    case 'set-priority':
    case 'set-weight': {
      const change = batch.action === 'set-priority' ? { priority: batch.priority ?? 0 } : { weight: batch.weight ?? 0 }
      await tx
        .update(channels)
        .set({ ...change, updatedAt: now })
        .where(inArray(channels.id, ids))
      await tx.update(abilities).set(change).where(inArray(abilities.channelId, ids))
      return
    }
    case 'add-tags':
    case 'remove-tags':
      for (const row of rows) {
        const tags = retag(row, batch.action, batch.tags ?? [])
        if (tags.length === row.tags.length && tags.every((tag, index) => tag === row.tags[index])) continue
        await tx.update(channels).set({ tags, updatedAt: now }).where(eq(channels.id, row.id))
      }
  }
}

/**
 * Runs one batch action over channels chosen by ids or tag: everything in one transaction (all or
 * nothing), abilities kept in step, caches told once, and one audit row per channel.
 */
export async function runChannelBatch(context: AppContext, actor: Actor, batch: ChannelBatch): Promise<ChannelBatchResult> {
  checkBatch(batch)
  const rows = await inTransaction(context.database.db, async (tx) => {
    const selected = await lockSelection(tx, batch)
    if (selected.length > 0) await apply(context, tx, actor, batch, selected)
    return selected
  })
  if (rows.length > 0) await context.bus.publish('channels')
  const argument = argumentOf[batch.action]
  for (const row of rows) {
    auditChannel(context, actor, row.id, `channel ${row.id} "${row.name}" ${verbOf[batch.action]} (batch)`, {
      action: batch.action,
      ...(argument ? { [argument]: batch[argument] } : {}),
      ...(batch.tag ? { selectedByTag: batch.tag } : {}),
    })
  }
  return { affected: rows.length, ids: rows.map((row) => row.id) }
}
