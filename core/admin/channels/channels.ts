import { Elysia, t } from 'elysia'
import { ChannelCreate, ChannelListQuery, ChannelTagCount, ChannelTypeView, ChannelUpdate, ChannelView } from '../../../schemas/admin/channels.ts'
import { ChannelBatch, ChannelBatchResult } from '../../../schemas/admin/channel-actions.ts'
import { IdParams, Page } from '../../../schemas/admin/common.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'
import { createChannelService } from './channel-service.ts'
import { runChannelBatch } from './channel-batch.ts'
import { testChannel } from '../../routing/channel-tester.ts'
import { GatewayError } from '../../errors.ts'

const tags = ['channels']

/** POST /api/channels/:id/test body, which may be left out. */
const ChannelTestRequest = t.Optional(
  t.Object(
    { model: t.Optional(t.String({ minLength: 1, maxLength: 200, description: 'Model to test; default the first one' })) },
    { additionalProperties: false },
  ),
)

/** Channel administration (admin+): upstream accounts, their keys (never shown in full), models and routing weights. */
export function channelRoutes(deps: AdminDeps) {
  const service = createChannelService(deps.context)
  return new Elysia()
    .use(apiBase(deps))
    .post(
      '/channels',
      async ({ actor, body, set }) => {
        set.status = 201
        return service.create(actor, body)
      },
      {
        ...access('admin', { operationId: 'createChannel', tags, summary: 'Create a channel' }, ChannelCreate),
        response: withErrors({ 201: ChannelView }),
      },
    )
    .get('/channels', ({ query }) => service.list(query), {
      ...access('admin', { operationId: 'listChannels', tags, summary: 'List channels (filters: type, status, q, tag; sort)' }),
      query: ChannelListQuery,
      response: withErrors({ 200: Page(ChannelView) }),
    })
    .post('/channels/batch', ({ actor, body }) => runChannelBatch(deps.context, actor, body), {
      ...access(
        'admin',
        {
          operationId: 'batchChannels',
          tags,
          summary:
            'Enable, disable, delete, tag, untag or re-weight many channels (by ids or tag) in one transaction; unknown ids are a 404 and change nothing',
        },
        ChannelBatch,
      ),
      response: withErrors({ 200: ChannelBatchResult }),
    })
    .get('/channel-tags', () => service.tagCounts(), {
      ...access('admin', { operationId: 'listChannelTags', tags, summary: 'Tags in use, with how many channels carry each' }),
      response: withErrors({ 200: t.Array(ChannelTagCount) }),
    })
    .post(
      '/channels/:id/test',
      async ({ params, body, request }) => {
        await service.get(params.id)
        const channel = (await deps.directory()).channel(params.id)
        if (!channel) throw new GatewayError(404, 'not_found', `Channel ${params.id} does not exist`)
        return testChannel(deps.context, channel, { model: body?.model, signal: request.signal })
      },
      {
        ...access(
          'admin',
          { operationId: 'testChannel', tags, summary: 'Send a one-token test call through a channel; records its latency' },
          ChannelTestRequest,
        ),
        params: IdParams,
        response: withErrors({ 200: t.Object({ ok: t.Boolean(), status: t.Integer(), latencyMs: t.Integer(), model: t.String(), message: t.String() }) }),
      },
    )
    .get('/channels/:id', ({ params }) => service.get(params.id), {
      ...access('admin', { operationId: 'getChannel', tags, summary: 'Read a channel' }),
      params: IdParams,
      response: withErrors({ 200: ChannelView }),
    })
    .patch('/channels/:id', ({ actor, params, body }) => service.update(actor, params.id, body), {
      ...access('admin', { operationId: 'updateChannel', tags, summary: 'Update a channel; a new key replaces every key' }, ChannelUpdate),
      params: IdParams,
      response: withErrors({ 200: ChannelView }),
    })
    .delete(
      '/channels/:id',
      async ({ actor, params, set }) => {
        await service.remove(actor, params.id)
        set.status = 204
        return undefined
      },
      {
        ...access('admin', { operationId: 'deleteChannel', tags, summary: 'Delete a channel' }),
        params: IdParams,
        response: withErrors({ 204: t.Void() }),
      },
    )
    .get(
      '/channel-types',
      () =>
        deps.context.registry.channelTypes().map(({ plugin, spec }) => ({
          id: spec.id,
          label: spec.label,
          plugin: plugin.id,
          defaultBaseUrl: spec.defaultBaseUrl ?? null,
          settingsSchema: JSON.parse(JSON.stringify(spec.settings)) as Record<string, unknown>,
          balanceReaders: (spec.balanceReaders ?? []).map((reader) => ({ id: reader.id, label: reader.label, hosts: reader.hosts ?? [] })),
        })),
      {
        ...access('admin', {
          operationId: 'listChannelTypes',
          tags: ['channel-types'],
          summary: 'Channel types the loaded plugins serve, with their settings schema',
        }),
        response: withErrors({ 200: t.Array(ChannelTypeView) }),
      },
    )
}
