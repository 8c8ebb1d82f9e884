import { Elysia } from 'elysia'
import { AdminError, IdParams } from '../../../schemas/admin/common.ts'
import { BalanceRefreshSummary, ChannelView } from '../../../schemas/admin/channels.ts'
import { createBalanceRefresher, type BalanceOutcome, type BalanceRefresher } from '../../routing/balance-refresh.ts'
import { createChannelService } from './channel-service.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'

const tags = ['channels']

/** An outcome as the API shows it (the failure object stays inside). */
function outcomeView({ failure: _failure, ...outcome }: BalanceOutcome) {
  return outcome
}

/** Reading channels' upstream balances on demand (admin+); the periodic job does the same in the background. */
export function channelBalanceRoutes(deps: AdminDeps) {
  const service = createChannelService(deps.context)
  let refresher: Promise<BalanceRefresher> | undefined
  const balances = () => (refresher ??= deps.relay().then((relay) => createBalanceRefresher(deps.context, relay.directory, relay.health)))
  return new Elysia()
    .use(apiBase(deps))
    .post(
      '/channels/balances/refresh',
      async ({ actor }) => {
        const summary = await (await balances()).refreshMany()
        deps.context.logWriter.write({
          type: 'manage',
          userId: actor.id,
          username: actor.username,
          content: `channel balances refreshed: ${summary.refreshed} read, ${summary.failed} failed`,
          details: { refreshed: summary.refreshed, failed: summary.failed, skipped: summary.skipped },
        })
        return { ...summary, outcomes: summary.outcomes.map(outcomeView) }
      },
      {
        ...access('admin', {
          operationId: 'refreshChannelBalances',
          tags,
          summary: 'Read the upstream balance of every channel whose type can (a few at a time); failures are stored on each channel',
        }),
        response: withErrors({ 200: BalanceRefreshSummary }),
      },
    )
    .post(
      '/channels/:id/balance/refresh',
      async ({ params }) => {
        const outcome = await (await balances()).refreshOne(params.id)
        if (outcome.failure) throw outcome.failure
        return service.get(params.id)
      },
      {
        ...access('admin', {
          operationId: 'refreshChannelBalance',
          tags,
          summary:
            "Read one channel's upstream balance now (501 when its type or host has no balance reader; 502/504 when the upstream fails, the error is also stored)",
        }),
        params: IdParams,
        response: withErrors({ 200: ChannelView, 501: AdminError, 502: AdminError, 504: AdminError }),
      },
    )
}
