import { Elysia, t } from 'elysia'
import { GroupChoice, GroupParams, GroupPut, GroupView } from '../../../schemas/admin/groups.ts'
import { roleAtLeast } from '../../http/actor.ts'
import { createGroupService } from './group-service.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'

const tags = ['groups']

/** User groups and their price ratios (admin+), and the groups each user may put on their API keys. */
export function groupRoutes(deps: AdminDeps) {
  const service = createGroupService(deps.context)
  return new Elysia()
    .use(apiBase(deps))
    .get('/groups', () => service.list(), {
      ...access('admin', {
        operationId: 'listGroups',
        tags,
        summary: "Every group (from the ratios and from users', keys' and channels' groups) with ratio, description and usage",
      }),
      response: withErrors({ 200: t.Array(GroupView) }),
    })
    .put('/groups/:name', ({ actor, params, body }) => service.put(actor, params.name, body), {
      ...access('admin', { operationId: 'putGroup', tags, summary: 'Create or replace a group: its price ratio and description' }, GroupPut),
      params: GroupParams,
      response: withErrors({ 200: GroupView }),
    })
    .delete(
      '/groups/:name',
      async ({ actor, params, set }) => {
        await service.remove(actor, params.name)
        set.status = 204
        return undefined
      },
      {
        ...access('admin', { operationId: 'deleteGroup', tags, summary: 'Delete a group no user, channel or API key uses (never default)' }),
        params: GroupParams,
        response: withErrors({ 204: t.Void() }),
      },
    )
    .get(
      '/users/me/groups',
      async ({ actor: me }) => {
        // Plain users may only put their own group on a key (see the token rules); admins any group.
        const groups = await service.list()
        return groups
          .filter((group) => roleAtLeast(me.role, 'admin') || group.name === me.group)
          .map(({ name, ratio, description }) => ({ name, ratio, description }))
      },
      {
        ...access('user', { operationId: 'listOwnGroups', tags, summary: 'The groups you may put on your API keys, with their price ratios' }),
        response: withErrors({ 200: t.Array(GroupChoice) }),
      },
    )
}
