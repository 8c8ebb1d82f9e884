import { isRecord } from '@hanggent/plugin-sdk'
import { documentText } from './rerank-request.ts'

// Cohere's v2 rerank has no `return_documents` and answers `{index, relevance_score}` only, while Jina, Cohere
// v1 and the OpenAI-compatible servers return `document: {text}` when asked. A client that asks gets the
// documents whatever the upstream: each result missing one gets the text of the document at its index.
// see https://docs.cohere.com/reference/rerank (v2 response) and https://docs.cohere.com/v1/reference/rerank

/** The answer with `document: {text}` on each result that lacks one, when the request set `return_documents: true`. */
export function completeRerankAnswer(answer: unknown, request: Record<string, unknown>): unknown {
  if (request.return_documents !== true || !isRecord(answer) || !Array.isArray(answer.results) || !Array.isArray(request.documents)) return answer
  const documents = request.documents
  const results = answer.results.map((result: unknown) => {
    if (!isRecord(result) || result.document !== undefined || typeof result.index !== 'number' || documents[result.index] === undefined) return result
    return { ...result, document: { text: documentText(documents[result.index]) } }
  })
  return { ...answer, results }
}
