import type { InboundRequest, ModelListCodec } from '@hanggent/plugin-sdk'

// see https://docs.claude.com/en/api/models-list — `{data: [{type: 'model', id, display_name,
// created_at}], has_more, first_id, last_id}`. Anthropic SDKs send `x-api-key` and
// `anthropic-version`, which is how their `GET /v1/models` is told apart from OpenAI's.

/** Fixed `created_at` for listed models: the gateway does not know when a vendor released a model. */
const MODEL_CREATED_AT = '2024-01-01T00:00:00Z'

/** True when a request carries the headers Anthropic's SDKs send. */
export function isClaudeClient(request: InboundRequest): boolean {
  return request.headers.has('x-api-key') && request.headers.has('anthropic-version')
}

/** `GET /v1/models` in Anthropic's shape for Anthropic clients. */
export const claudeModelList: ModelListCodec = {
  matches: isClaudeClient,
  render: (models) => ({
    data: models.map((id) => ({ type: 'model', id, display_name: id, created_at: MODEL_CREATED_AT })),
    has_more: false,
    first_id: models[0] ?? null,
    last_id: models.at(-1) ?? null,
  }),
}
