import { Elysia } from 'elysia'
import type { ClientDialect, InboundRequest } from '@hanggent/plugin-sdk'
import { GatewayError } from '../errors.ts'
import { ClaudeCountTokensRequest } from '../../schemas/claude-messages.ts'
import { modelAllowed } from './authenticate.ts'
import { validateBody } from './validate-body.ts'
import { clientIpOf } from '../http/client-ip.ts'
import type { RelayServices } from './pipeline.ts'
import type { RelayExtraRoute } from './relay-openapi.ts'
import { relayRouteFailure, requestIdOf } from './routes.ts'

// Anthropic's `POST /v1/messages/count_tokens`: the input tokens a Messages request would use, counted
// here with the model's tokenizer estimate (the same count the gateway reserves quota with), never
// forwarded upstream and never billed. Counting locally answers for every model the key may use,
// whatever channel serves it, costs no upstream call and leaks no channel key; the price is that the
// figure is the gateway's estimate, not Anthropic's exact tokenizer (docs/conversions.md says so too).
// see https://docs.claude.com/en/api/messages-count-tokens

/** The dialect whose request shape and error shape count_tokens uses. */
const CLAUDE_DIALECT = 'claude.messages'

/** The key an Anthropic SDK sends (`x-api-key`), or a bearer token. */
function readKey(headers: Headers): string | undefined {
  const authorization = headers.get('authorization')
  if (authorization && /^bearer\s+/i.test(authorization)) return authorization.replace(/^bearer\s+/i, '').trim()
  return headers.get('x-api-key') ?? undefined
}

/** The request body as an object with a model and messages, or a 400 naming what is wrong. */
export function readCountTokensBody(text: string): Record<string, unknown> & { model: string } {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new GatewayError(400, 'invalid_json', 'The request body is not valid JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GatewayError(400, 'invalid_request', 'The request body must be a JSON object')
  const record = body as Record<string, unknown>
  if (typeof record.model !== 'string' || record.model === '')
    throw new GatewayError(400, 'missing_required_parameter', 'model: Field required', { param: 'model' })
  if (!Array.isArray(record.messages)) throw new GatewayError(400, 'missing_required_parameter', 'messages: Field required', { param: 'messages' })
  return record as Record<string, unknown> & { model: string }
}

/** Counts the input tokens of one count_tokens request for an authenticated caller that may use the model. */
async function countTokens(services: RelayServices, codec: ClientDialect, request: Request, clientIp: string | undefined): Promise<{ input_tokens: number }> {
  const inbound: InboundRequest = { headers: request.headers, url: new URL(request.url), params: {} }
  const caller = await services.authenticator.authenticate(readKey(inbound.headers), clientIp)
  const body = readCountTokensBody(await request.text())
  const served = services.directory.modelsFor(caller.group)
  if (!modelAllowed(caller.token.models, body.model) || !served.includes(body.model)) {
    throw new GatewayError(404, 'model_not_found', `model: ${body.model}`, { param: 'model' })
  }
  // The dialect's estimate reads a validated Messages request; count_tokens takes the same shape without max_tokens.
  validateBody(ClaudeCountTokensRequest, body)
  const prompt = codec.estimatePrompt(body)
  const counted = await services.context.tokenCounter.count(body.model, prompt.texts)
  return { input_tokens: prompt.fixedTokens + counted }
}

/** The token-count routes for the relay document: count_tokens when the Claude dialect is loaded. */
export function countTokensDocumentRoutes(dialects: readonly ClientDialect[]): RelayExtraRoute[] {
  if (!dialects.some((codec) => codec.dialect === CLAUDE_DIALECT)) return []
  return [
    {
      path: '/v1/messages/count_tokens',
      method: 'POST',
      summary: "Count a Messages request's input tokens (Anthropic's shape; the gateway's estimate, not billed)",
      tag: 'tokens',
      errorDialect: CLAUDE_DIALECT,
      security: ['xApiKey', 'bearerKey'],
    },
  ]
}

/** Mounts `POST /v1/messages/count_tokens` when the Claude dialect is loaded; errors come in Anthropic's shape. */
export function countTokensRoutes(services: RelayServices) {
  const app = new Elysia({ name: 'count-tokens-routes' })
  const codec = services.context.registry.dialect(CLAUDE_DIALECT)
  if (!codec) return app
  app.post(
    '/v1/messages/count_tokens',
    async ({ request, server, set }) => {
      try {
        return Response.json(await countTokens(services, codec, request, clientIpOf(server, request, services.context.config.trustedProxies)))
      } catch (error) {
        return relayRouteFailure(services, codec, requestIdOf(set), error)
      }
    },
    { parse: 'none', detail: { hide: true } },
  )
  return app
}
