import { GatewayError, isRecord, type PromptEstimateInput } from '@hanggent/plugin-sdk'
import type { RerankRequest } from '../../schemas/rerank.ts'

// What the gateway reads of a rerank request: the texts to count, Cohere's search units, and the checks
// the schema cannot state (top_n against the number of documents).
// see https://docs.cohere.com/docs/rerank-understanding-the-results and https://cohere.com/pricing:
// "a search unit is one query with up to 100 documents" (longer documents are split into chunks, each
// counting as a document; the gateway cannot see Cohere's chunking, so it estimates by documents only).

/** Documents per Cohere search unit. */
export const DOCUMENTS_PER_SEARCH_UNIT = 100

/**
 * The text of one document for counting and for Cohere (which takes strings only): a `{text}` object's text,
 * else the record's fields (only `rankFields` when named) as YAML-like `name: value` lines, as Cohere advises.
 */
export function documentText(document: unknown, rankFields?: readonly string[]): string {
  if (typeof document === 'string') return document
  if (!isRecord(document)) return String(document)
  if (typeof document.text === 'string' && rankFields === undefined && Object.keys(document).length === 1) return document.text
  const entries = Object.entries(document).filter(([name]) => rankFields === undefined || rankFields.includes(name))
  return entries.map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`).join('\n')
}

/** Cohere's search units for one query over this many documents: one per 100 documents begun. */
export function estimateSearchUnits(documentCount: number): number {
  return Math.max(1, Math.ceil(documentCount / DOCUMENTS_PER_SEARCH_UNIT))
}

/** Refuses what the schema cannot: `top_n` greater than the number of documents. */
export function checkRerankRequest(body: RerankRequest): void {
  const documents = body.documents.length
  if (body.top_n !== undefined && body.top_n > documents)
    throw new GatewayError(
      400,
      'invalid_request',
      `Invalid value for 'top_n': ${body.top_n} is more than the ${documents} document${documents === 1 ? '' : 's'} sent; it must be between 1 and the number of documents.`,
      { param: 'top_n' },
    )
}

/**
 * The prompt estimate of a rerank call (the query and every document) with its expected search units, after
 * the cross-field checks: the relay reads it once per admitted call, before anything is reserved.
 */
export function estimateRerankPrompt(body: RerankRequest): PromptEstimateInput {
  checkRerankRequest(body)
  const documents = body.documents
  return {
    texts: [body.query, ...documents.map((document) => documentText(document))],
    fixedTokens: 0,
    quantities: { searchUnits: estimateSearchUnits(documents.length) },
  }
}
