import { Type, type Static } from '@sinclair/typebox'

// The rerank request as Cohere v2 and Jina define it: the two share model, query, documents, top_n and
// return_documents; Cohere adds max_tokens_per_doc (and v1's rank_fields), Jina accepts documents as objects
// ({text} or {image} for multimodal models).
// see https://docs.cohere.com/reference/rerank and https://jina.ai/reranker (POST /v1/rerank)

/** The most documents one rerank call may carry: Cohere's documented maximum for one request. */
export const RERANK_MAX_DOCUMENTS = 1000

/** One document to rank: a string, or an object (Jina's `{text}`/`{image}`, Cohere's structured fields). */
export const RerankDocument = Type.Union([Type.String(), Type.Object({}, { additionalProperties: true })])

/** POST /v1/rerank (also /rerank and /v2/rerank) request body. */
export const RerankRequest = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    query: Type.String({ minLength: 1, pattern: '\\S' }),
    documents: Type.Array(RerankDocument, { minItems: 1, maxItems: RERANK_MAX_DOCUMENTS }),
    top_n: Type.Optional(Type.Integer({ minimum: 1 })),
    return_documents: Type.Optional(Type.Boolean()),
    max_tokens_per_doc: Type.Optional(Type.Integer({ minimum: 1 })),
    rank_fields: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: true },
)

/** The typed rerank request. */
export type RerankRequest = Static<typeof RerankRequest>

/** One ranked document of an answer, in both vendors' shape. */
export const RerankResult = Type.Object(
  {
    index: Type.Integer({ minimum: 0 }),
    relevance_score: Type.Number(),
    document: Type.Optional(Type.Object({ text: Type.Optional(Type.String()) }, { additionalProperties: true })),
  },
  { additionalProperties: true },
)

/**
 * A rerank answer: Cohere v2's (`id`, `meta.billed_units.search_units`) or Jina's (`model`, `usage.total_tokens`);
 * both carry `results`, extra members are accepted.
 */
export const RerankResponse = Type.Object(
  {
    id: Type.Optional(Type.String()),
    model: Type.Optional(Type.String()),
    results: Type.Array(RerankResult),
    meta: Type.Optional(
      Type.Object(
        {
          api_version: Type.Optional(Type.Object({ version: Type.Optional(Type.String()) }, { additionalProperties: true })),
          billed_units: Type.Optional(
            Type.Object(
              { search_units: Type.Optional(Type.Number()), input_tokens: Type.Optional(Type.Number()), output_tokens: Type.Optional(Type.Number()) },
              { additionalProperties: true },
            ),
          ),
        },
        { additionalProperties: true },
      ),
    ),
    usage: Type.Optional(
      Type.Object({ total_tokens: Type.Optional(Type.Number()), prompt_tokens: Type.Optional(Type.Number()) }, { additionalProperties: true }),
    ),
  },
  { additionalProperties: true },
)

/** The typed rerank answer. */
export type RerankResponse = Static<typeof RerankResponse>
