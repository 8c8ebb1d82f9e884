// Rerank answers as Cohere v2 and Jina write them, computed from the request so any query and documents
// get a realistic answer: each document is scored by the share of the query's words it contains (ties
// keep the documents' order), `top_n` cuts the list; Jina adds `document: {text}` when `return_documents`
// is set, Cohere v2 never does (its API has no such option). Cohere
// bills one search unit per 100 documents (`meta.billed_units.search_units`); Jina reports tokens
// (`usage.total_tokens`, counted here as words, so tests can compute them). A test may queue a fault
// (an HTTP error, or a raw body such as an answer without usage) for the next request.
// see https://docs.cohere.com/reference/rerank and https://jina.ai/reranker

/** A queued answer for one rerank request: an HTTP status with a body of the vendor's error shape, or a raw 200 body. */
export type RerankFault = { status: number; body: Record<string, unknown> } | { raw: Record<string, unknown> }

/** Which vendor's shape the answer takes. */
export type RerankVendor = 'cohere' | 'jina'

/** A document's text as the fake scores it. */
function textOf(document: unknown): string {
  if (typeof document === 'string') return document
  if (typeof document === 'object' && document !== null && typeof (document as { text?: unknown }).text === 'string') return (document as { text: string }).text
  return JSON.stringify(document)
}

/** Words of a text, lowercased, punctuation dropped. */
function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
}

/** The relevance of a document to a query: the share of the query's words it holds, kept in (0, 1). */
export function fakeRelevance(query: string, document: string): number {
  const wanted = words(query)
  const present = new Set(words(document))
  const hits = wanted.filter((word) => present.has(word)).length
  return Math.round((0.01 + (0.98 * hits) / Math.max(1, wanted.length)) * 1e6) / 1e6
}

/** Tokens the fake Jina reports for a request: the words of the query once per document plus every document's words. */
export function fakeJinaTokens(query: string, documents: unknown[]): number {
  return documents.reduce<number>((total, document) => total + words(query).length + words(textOf(document)).length, 0)
}

/** The vendor's answer to a rerank body, or the queued fault. */
export function answerRerank(vendor: RerankVendor, body: Record<string, unknown>, fault: RerankFault | undefined): Response {
  if (fault && 'status' in fault) return Response.json(fault.body, { status: fault.status })
  if (fault) return Response.json(fault.raw)
  const query = String(body.query ?? '')
  const documents = Array.isArray(body.documents) ? body.documents : []
  const ranked = documents
    .map((document, index) => ({ index, relevance_score: fakeRelevance(query, textOf(document)), text: textOf(document) }))
    .sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index)
    .slice(0, typeof body.top_n === 'number' ? body.top_n : documents.length)
  // Cohere's v2 answers never carry documents (it has no return_documents); Jina's do when asked.
  const withDocuments = vendor === 'jina' && body.return_documents === true
  const results = ranked.map(({ index, relevance_score, text }) => ({ index, ...(withDocuments ? { document: { text } } : {}), relevance_score }))
  if (vendor === 'jina') return Response.json({ model: body.model, usage: { total_tokens: fakeJinaTokens(query, documents) }, results })
  return Response.json({
    results,
    id: '07734bd2-2473-4f07-94e1-0d9f0e6843cf',
    meta: { api_version: { version: '2', is_experimental: false }, billed_units: { search_units: Math.max(1, Math.ceil(documents.length / 100)) } },
  })
}
