import { eq, sql } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { abilities, channels } from '../db/schema.ts'
import type { SystemOptionValues } from '../options.ts'
import type { RuntimeChannel } from './channel-directory.ts'
import { keyFingerprint } from './key-selection.ts'

/** The health policy, from the `channelHealth` system options. */
export type HealthPolicy = SystemOptionValues['channelHealth']

/** An upstream failure as health tracking sees it. */
export interface ObservedFailure {
  /** HTTP status from the upstream, or 0 for a connection error or timeout. */
  status: number
  /** The upstream's error message. */
  message: string
}

/** Why a key should leave rotation (a revoked or exhausted account), or undefined. */
export function keyDisableReason(policy: HealthPolicy, failure: ObservedFailure): string | undefined {
  if (!policy.autoDisable) return undefined
  if (policy.disableOnStatus.includes(failure.status)) return `upstream answered HTTP ${failure.status}: ${failure.message}`.slice(0, 500)
  const text = failure.message.toLowerCase()
  const keyword = policy.disableKeywords.find((word) => text.includes(word.toLowerCase()))
  return keyword ? `upstream error mentions "${keyword}": ${failure.message}`.slice(0, 500) : undefined
}

/** True for failures that say something about the channel (not the client's own mistakes). */
export function countsAgainstChannel(failure: ObservedFailure): boolean {
  return failure.status === 0 || failure.status === 429 || failure.status === 401 || failure.status === 403 || failure.status >= 500
}

/** A change of a channel's health, for metrics. */
export interface ChannelHealthChange {
  channelId: number
  change: 'key-disabled' | 'channel-disabled' | 'channel-enabled'
}

/** Takes failing keys and channels out of rotation and puts recovered ones back. */
export interface ChannelHealth {
  /** Notes a failed call on `key` of `channel`; may disable the key or the whole channel. */
  recordFailure(channel: RuntimeChannel, key: string, failure: ObservedFailure): Promise<void>
  /** Notes a successful call, resetting the channel's failure streak. */
  recordSuccess(channelId: number): void
  /** Puts an auto-disabled channel and all its keys back into rotation. */
  enable(channelId: number, reason: string): Promise<void>
  /** Takes a channel out of rotation as auto-disabled (e.g. its upstream balance ran low), with an audit row. */
  disable(channel: Pick<RuntimeChannel, 'id' | 'name'>, reason: string): Promise<void>
}

/** Health tracking against the database; changes reach every cache through the bus. */
export function createChannelHealth(context: AppContext, onChange?: (change: ChannelHealthChange) => void): ChannelHealth {
  const streaks = new Map<number, number>()
  const db = context.database.db

  function audit(channelId: number, content: string, change?: ChannelHealthChange['change']) {
    if (change) onChange?.({ channelId, change })
    context.logger.log('warn', content, { channelId })
    context.logWriter.write({ type: 'system', channelId, content })
  }

  async function disableChannel(channel: Pick<RuntimeChannel, 'id' | 'name'>, reason: string) {
    await db.transaction(async (tx) => {
      await tx.update(channels).set({ status: 'auto-disabled', statusReason: reason, updatedAt: new Date() }).where(eq(channels.id, channel.id))
      await tx.update(abilities).set({ enabled: false }).where(eq(abilities.channelId, channel.id))
    })
    streaks.delete(channel.id)
    audit(channel.id, `channel ${channel.id} "${channel.name}" auto-disabled: ${reason}`, 'channel-disabled')
    await context.bus.publish('channels')
  }

  async function disableKey(channel: RuntimeChannel, key: string, reason: string) {
    const remaining = channel.keys.filter((candidate) => candidate !== key)
    if (remaining.length === 0) return disableChannel(channel, channel.allKeys.length > 1 ? `all keys disabled; last: ${reason}` : reason)
    const state = JSON.stringify({ [keyFingerprint(key)]: { status: 'auto-disabled', reason, at: context.now().toISOString() } })
    await db
      .update(channels)
      .set({ keyStates: sql`${channels.keyStates} || ${state}::jsonb`, updatedAt: new Date() })
      .where(eq(channels.id, channel.id))
    audit(
      channel.id,
      `channel ${channel.id} "${channel.name}": key ${channel.allKeys.indexOf(key) + 1} of ${channel.allKeys.length} auto-disabled: ${reason}`,
      'key-disabled',
    )
    await context.bus.publish('channels')
  }

  return {
    async recordFailure(channel, key, failure) {
      const policy = context.options.get().channelHealth
      const reason = keyDisableReason(policy, failure)
      if (reason) return disableKey(channel, key, reason)
      if (!policy.autoDisable || !countsAgainstChannel(failure) || policy.maxConsecutiveFailures === 0) return
      const streak = (streaks.get(channel.id) ?? 0) + 1
      streaks.set(channel.id, streak)
      if (streak >= policy.maxConsecutiveFailures)
        await disableChannel(channel, `${streak} failures in a row; last: HTTP ${failure.status || 'connection'}: ${failure.message}`.slice(0, 500))
    },
    recordSuccess(channelId) {
      streaks.delete(channelId)
    },
    async enable(channelId, reason) {
      await db.transaction(async (tx) => {
        await tx.update(channels).set({ status: 'enabled', statusReason: null, keyStates: {}, updatedAt: new Date() }).where(eq(channels.id, channelId))
        await tx.update(abilities).set({ enabled: true }).where(eq(abilities.channelId, channelId))
      })
      streaks.delete(channelId)
      audit(channelId, `channel ${channelId} re-enabled: ${reason}`, 'channel-enabled')
      await context.bus.publish('channels')
    },
    disable: disableChannel,
  }
}
