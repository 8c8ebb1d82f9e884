import { isRecord, recordMember, tokenCount, type Usage } from '@hanggent/plugin-sdk'

// Usage of a rerank answer: Cohere bills search units (`meta.billed_units.search_units`), Jina and the
// OpenAI-compatible servers that copy it (vLLM, Xinference, SiliconFlow) report tokens (`usage.total_tokens`).
// see https://docs.cohere.com/reference/rerank (response `meta`) and https://jina.ai/reranker (response `usage`)

/** The usage a rerank answer reports, or undefined when it reports none (the gateway then estimates). */
export function readRerankUsage(body: unknown): Usage | undefined {
  if (!isRecord(body)) return undefined
  const billed = recordMember(recordMember(body, 'meta'), 'billed_units')
  const usage = recordMember(body, 'usage')
  const searchUnits = billed?.search_units
  const tokens = usage?.total_tokens ?? usage?.prompt_tokens ?? billed?.input_tokens
  if (searchUnits === undefined && tokens === undefined) return undefined
  return {
    inputTokens: tokenCount(tokens),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: tokenCount(billed?.output_tokens),
    reasoningTokens: 0,
    ...(searchUnits === undefined ? {} : { quantities: { searchUnits: tokenCount(searchUnits) } }),
    raw: billed ?? usage,
  }
}
