import { eq } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { channels, type ChannelStatus } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import type { UpstreamBalance } from '@hanggent/plugin-sdk'
import { balanceReaderOf, readChannelBalance } from './channel-balance.ts'
import type { ChannelDirectory } from './channel-directory.ts'
import type { ChannelHealth } from './channel-health.ts'

// Refreshing channels' upstream balances: read (channel-balance.ts), store the reading or the error,
// flag a channel whose balance fell under its threshold with a system log row, take it out of rotation
// when it asks for that, and put it back once a later read finds the balance recovered.

/** Start of the status reason of a channel disabled for its balance; the balance refresh re-enables only those. */
export const LOW_BALANCE_REASON = 'low upstream balance: '

/** True for a status reason the balance refresh wrote, so the health re-tests leave that channel alone. */
export function disabledForLowBalance(statusReason: string | null): boolean {
  return statusReason?.startsWith(LOW_BALANCE_REASON) ?? false
}

/** How many channels a refresh of many reads at once. */
export const BALANCE_REFRESH_CONCURRENCY = 4

/** True when a reading flags the channel: under its threshold, or the vendor said the account cannot be used. */
export function isLowBalance(balance: Pick<UpstreamBalance, 'amount' | 'available'>, threshold: number | null): boolean {
  return balance.available === false || (threshold !== null && balance.amount < threshold)
}

/** What a read means for the channel, given how it stood before. */
export interface BalanceTransition {
  /** The log row to write: the balance fell under the threshold, or came back. */
  event: 'low' | 'recovered' | null
  /** What to do with the channel's rotation. */
  action: 'disable' | 'enable' | null
}

/**
 * Acts on crossings only: a channel is flagged (and, with auto-disable, disabled) when a read finds it low
 * after one that did not, and put back when it recovers, only if the balance refresh was what disabled it.
 * A channel an admin re-enabled while still low stays enabled until its balance recovers and falls again.
 */
export function balanceTransition(
  before: { low: boolean; autoDisable: boolean; status: ChannelStatus; statusReason: string | null },
  low: boolean,
): BalanceTransition {
  if (low && !before.low) return { event: 'low', action: before.autoDisable && before.status === 'enabled' ? 'disable' : null }
  if (!low && before.low)
    return { event: 'recovered', action: before.status === 'auto-disabled' && disabledForLowBalance(before.statusReason) ? 'enable' : null }
  return { event: null, action: null }
}

/** The result of refreshing one channel's balance. */
export interface BalanceOutcome {
  channelId: number
  /** True when the balance was read. */
  ok: boolean
  /** The amount read (null when the read failed). */
  amount: number | null
  currency: string | null
  /** Why the read failed, key removed; null on success. */
  error: string | null
  /** Whether the channel is flagged for a low balance after this read. */
  low: boolean
  /** What the read changed in the channel's rotation. */
  change: 'disabled' | 'enabled' | null
  /** The failure as the admin API answers it, when the read failed. */
  failure?: GatewayError
}

/** What a refresh of many channels did. */
export interface BalanceRefreshSummary {
  /** Channels whose balance was read. */
  refreshed: number
  /** Channels whose read failed. */
  failed: number
  /** Channels whose balance cannot be read (no reader for their type or host), or not due yet. */
  skipped: number
  /** One outcome per channel read, by channel id. */
  outcomes: BalanceOutcome[]
}

/** Refreshes channels' balances; shared by the admin routes and the periodic job. */
export interface BalanceRefresher {
  /** Reads one channel's balance and stores it (or the error); 404 for an unknown channel, 501 when its balance cannot be read. */
  refreshOne(channelId: number): Promise<BalanceOutcome>
  /**
   * Reads every channel whose balance can be read, `concurrency` at a time; with `checkedBefore`, only
   * those not tried since then. Stops starting new reads once `signal` aborts.
   */
  refreshMany(options?: { checkedBefore?: Date; signal?: AbortSignal; concurrency?: number }): Promise<BalanceRefreshSummary>
}

type ChannelRow = typeof channels.$inferSelect

const formatAmount = (amount: number, currency: string) => `${Number(amount.toFixed(6))} ${currency}`

/** The system log text and the status reason for a crossing. */
function describeCrossing(row: ChannelRow, balance: UpstreamBalance, event: 'low' | 'recovered'): string {
  const amount = formatAmount(balance.amount, balance.currency)
  if (event === 'recovered') {
    return row.balanceThreshold === null
      ? `balance ${amount} is no longer flagged`
      : `balance ${amount} is back at or above the threshold ${formatAmount(row.balanceThreshold, balance.currency)}`
  }
  if (balance.available === false) return `the upstream says the account cannot be used (balance ${amount})`
  return `balance ${amount} is below the threshold ${formatAmount(row.balanceThreshold ?? 0, balance.currency)}`
}

/** Builds the refresher over the database, the channel directory (for decrypted keys) and health (to disable and enable). */
export function createBalanceRefresher(
  context: AppContext,
  directory: ChannelDirectory,
  health: ChannelHealth,
  options: { timeoutMs?: number } = {},
): BalanceRefresher {
  const db = context.database.db

  async function keyOf(channelId: number): Promise<string | undefined> {
    let runtime = directory.channel(channelId)
    if (!runtime) {
      await directory.reload()
      runtime = directory.channel(channelId)
    }
    return runtime?.keys[0] ?? runtime?.allKeys[0]
  }

  async function recordFailure(row: ChannelRow, failure: GatewayError): Promise<BalanceOutcome> {
    await db
      .update(channels)
      .set({ balanceError: failure.message.slice(0, 1000), balanceCheckedAt: context.now() })
      .where(eq(channels.id, row.id))
    return { channelId: row.id, ok: false, amount: null, currency: null, error: failure.message, low: row.balanceLow, change: null, failure }
  }

  async function recordReading(row: ChannelRow, balance: UpstreamBalance): Promise<BalanceOutcome> {
    const low = isLowBalance(balance, row.balanceThreshold)
    const now = context.now()
    await db
      .update(channels)
      .set({
        balanceAmount: balance.amount,
        balanceCurrency: balance.currency,
        balanceReadAt: now,
        balanceCheckedAt: now,
        balanceError: null,
        balanceLow: low,
        balanceDetails: {
          ...(balance.available === undefined ? {} : { available: balance.available }),
          ...(balance.details ? { breakdown: balance.details } : {}),
        },
      })
      .where(eq(channels.id, row.id))
    const transition = balanceTransition({ low: row.balanceLow, autoDisable: row.balanceAutoDisable, status: row.status, statusReason: row.statusReason }, low)
    let change: BalanceOutcome['change'] = null
    if (transition.event) {
      const text = describeCrossing(row, balance, transition.event)
      const content = `channel ${row.id} "${row.name}": ${text}`
      context.logger.log(transition.event === 'low' ? 'warn' : 'info', content, { channelId: row.id })
      context.logWriter.write({
        type: 'system',
        channelId: row.id,
        content,
        details: {
          event: transition.event === 'low' ? 'balance-low' : 'balance-recovered',
          amount: balance.amount,
          currency: balance.currency,
          threshold: row.balanceThreshold,
          available: balance.available ?? null,
        },
      })
      if (transition.action === 'disable') {
        await health.disable({ id: row.id, name: row.name }, `${LOW_BALANCE_REASON}${text}`)
        change = 'disabled'
      } else if (transition.action === 'enable') {
        await health.enable(row.id, text)
        change = 'enabled'
      }
    }
    return { channelId: row.id, ok: true, amount: balance.amount, currency: balance.currency, error: null, low, change }
  }

  async function refreshRow(row: ChannelRow, signal?: AbortSignal): Promise<BalanceOutcome> {
    const key = await keyOf(row.id)
    if (!key)
      return recordFailure(row, new GatewayError(409, 'conflict', `channel ${row.id} has no usable key (were its keys sealed with another CRYPTO_SECRET?)`))
    let balance: UpstreamBalance
    try {
      balance = (await readChannelBalance(context, { ...row, key }, { timeoutMs: options.timeoutMs, signal })).balance
    } catch (error) {
      if (!(error instanceof GatewayError) || error.status === 501) throw error
      return recordFailure(row, error)
    }
    return recordReading(row, balance)
  }

  return {
    async refreshOne(channelId) {
      const [row] = await db.select().from(channels).where(eq(channels.id, channelId))
      if (!row) throw new GatewayError(404, 'not_found', `Channel ${channelId} does not exist`)
      return refreshRow(row)
    },

    async refreshMany({ checkedBefore, signal, concurrency = BALANCE_REFRESH_CONCURRENCY } = {}) {
      const rows = await db.select().from(channels).orderBy(channels.id)
      const due = rows.filter((row) => balanceReaderOf(context, row) && (!checkedBefore || !row.balanceCheckedAt || row.balanceCheckedAt < checkedBefore))
      const outcomes: BalanceOutcome[] = []
      let next = 0
      const worker = async () => {
        while (next < due.length && !signal?.aborted) {
          const row = due[next++]!
          outcomes.push(await refreshRow(row, signal))
        }
      }
      await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, due.length)) }, worker))
      outcomes.sort((a, b) => a.channelId - b.channelId)
      const refreshed = outcomes.filter((outcome) => outcome.ok).length
      return { refreshed, failed: outcomes.length - refreshed, skipped: rows.length - outcomes.length, outcomes }
    },
  }
}
