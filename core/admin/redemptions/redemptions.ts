import { Elysia, t } from 'elysia'
import { IdParams, Page, Units } from '../../../schemas/admin/common.ts'
import { RedeemRequest, RedemptionBatch, RedemptionCreate, RedemptionListQuery, RedemptionUpdate, RedemptionView } from '../../../schemas/admin/redemptions.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'
import { createRedemptionService } from './redemption-service.ts'
import { checkIpLimit, failOpen, warnLimitStoreDown } from '../../limits/limit-checks.ts'

const tags = ['redemptions']

/** Redemption codes: admins create batches; any signed-in user redeems a code once. */
export function redemptionRoutes(deps: AdminDeps) {
  const service = createRedemptionService(deps.context)
  const { context } = deps
  return new Elysia()
    .use(apiBase(deps))
    .post(
      '/redemptions',
      async ({ actor, body, set }) => {
        set.status = 201
        return service.create(actor, body)
      },
      {
        ...access(
          'admin',
          { operationId: 'createRedemptions', tags, summary: 'Create a batch of redemption codes (the codes are returned this once)' },
          RedemptionCreate,
        ),
        response: withErrors({ 201: RedemptionBatch }),
      },
    )
    .get('/redemptions', ({ query }) => service.list(query), {
      ...access('admin', { operationId: 'listRedemptions', tags, summary: 'List redemption codes (filters: status, q; sort)' }),
      query: RedemptionListQuery,
      response: withErrors({ 200: Page(RedemptionView) }),
    })
    .patch('/redemptions/:id', ({ actor, params, body }) => service.setStatus(actor, params.id, body.status), {
      ...access('admin', { operationId: 'updateRedemption', tags, summary: 'Disable or re-enable an unredeemed code' }, RedemptionUpdate),
      params: IdParams,
      response: withErrors({ 200: RedemptionView }),
    })
    .delete(
      '/redemptions/:id',
      async ({ actor, params, set }) => {
        await service.remove(actor, params.id)
        set.status = 204
        return undefined
      },
      {
        ...access('admin', { operationId: 'deleteRedemption', tags, summary: 'Delete a redemption code' }),
        params: IdParams,
        response: withErrors({ 204: t.Void() }),
      },
    )
    .post(
      '/redemptions/redeem',
      async ({ actor, body, clientIp }) => {
        // Guessing codes is guessing passwords: the sign-in rate applies, in a bucket of its own.
        await failOpen(
          () => checkIpLimit(context.limiter, 'redeem', clientIp, context.options.get().rateLimits.loginPerIpPerMinute),
          undefined,
          warnLimitStoreDown(context.logger),
        )
        return service.redeem(actor, body.code)
      },
      {
        ...access('user', { operationId: 'redeemCode', tags, summary: 'Redeem a code: its quota is added to your account' }, RedeemRequest),
        response: withErrors({ 200: t.Object({ quota: Units, balance: Units }) }),
      },
    )
}
