import type { AppContext } from '../app-context.ts'
import type { BalanceRefresher } from '../routing/balance-refresh.ts'
import type { LeaseManager } from './lease.ts'
import { runLeasedJob, type LeasedJob } from './leased-job.ts'

/** How often the job wakes to look for channels whose balance is due; the option sets how old a reading may get. */
export const BALANCE_JOB_TICK_MS = 60_000

/**
 * Re-reads channels' upstream balances on one replica at a time: every tick, the channels not tried for
 * `channelHealth.balanceRefreshMinutes` (0 = off) are read, a few at a time. Due-ness comes from each
 * channel's last attempt in the database, so a restart or a lease moving to another replica neither
 * skips a round nor reads everything again. `leases` replaces the context's and `ttlMs` sets the
 * lease lifetime (tests run two replicas in one process).
 */
export function scheduleBalanceRefresh(
  context: AppContext,
  refresher: BalanceRefresher,
  options: { tickMs?: number; ttlMs?: number; leases?: LeaseManager } = {},
): LeasedJob {
  return runLeasedJob({
    leases: options.leases ?? context.leases,
    name: 'channel-balances',
    intervalMs: options.tickMs ?? BALANCE_JOB_TICK_MS,
    ttlMs: options.ttlMs,
    run: async (signal) => {
      const minutes = context.options.get().channelHealth.balanceRefreshMinutes
      if (minutes <= 0) return
      const checkedBefore = new Date(context.now().getTime() - minutes * 60_000)
      const summary = await refresher.refreshMany({ checkedBefore, signal })
      if (summary.outcomes.length > 0) context.logger.log('info', 'channel balances refreshed', { refreshed: summary.refreshed, failed: summary.failed })
    },
    onError: (error) => context.logger.log('error', 'channel balance refresh failed', { error: String(error) }),
  })
}
