import { Elysia } from 'elysia'
import { AdminError, IdParams } from '../../../schemas/admin/common.ts'
import { UpstreamModelList, UpstreamModelsProbe } from '../../../schemas/admin/channel-actions.ts'
import { GatewayError } from '../../errors.ts'
import { listUpstreamModels } from '../../routing/upstream-models.ts'
import { splitKeys, validateConnection } from './channel-service.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'

const tags = ['channels']
const responses = withErrors({ 200: UpstreamModelList, 501: AdminError, 502: AdminError, 504: AdminError })

/** Asks an upstream which models it offers, for a stored channel or for the create form before saving. */
export function upstreamModelRoutes(deps: AdminDeps) {
  const { context } = deps
  return new Elysia()
    .use(apiBase(deps))
    .get(
      '/channels/:id/upstream-models',
      async ({ params, request }) => {
        const channel = (await deps.directory()).channel(params.id)
        if (!channel) throw new GatewayError(404, 'not_found', `Channel ${params.id} does not exist`)
        const key = channel.allKeys[0]
        if (!key) throw new GatewayError(409, 'conflict', `Channel ${params.id} has no usable key (were its keys sealed with another CRYPTO_SECRET?)`)
        return {
          models: await listUpstreamModels(
            context,
            { id: channel.id, type: channel.type, baseUrl: channel.baseUrl, key, settings: channel.settings },
            request.signal,
          ),
        }
      },
      {
        ...access('admin', {
          operationId: 'listChannelUpstreamModels',
          tags,
          summary: "The models the channel's upstream offers, asked with its first key (501 when the type cannot list them)",
        }),
        params: IdParams,
        response: responses,
      },
    )
    .post(
      '/channels/upstream-models',
      async ({ body, request }) => {
        const connection = { type: body.type, baseUrl: body.baseUrl ?? null, settings: body.settings ?? {} }
        validateConnection(context, connection)
        const key = splitKeys(body.key)[0]
        if (!key) throw new GatewayError(400, 'invalid_request', 'key: at least one non-blank key is required', { param: 'key' })
        return { models: await listUpstreamModels(context, { id: 0, ...connection, key }, request.signal) }
      },
      {
        ...access(
          'admin',
          {
            operationId: 'probeUpstreamModels',
            tags,
            summary: 'The models an upstream offers for a type, base URL and key not saved yet (for the create form)',
          },
          UpstreamModelsProbe,
        ),
        response: responses,
      },
    )
}
