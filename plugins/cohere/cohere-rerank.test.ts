import { describe, expect, test } from 'bun:test'
import { GatewayError } from '@hanggent/plugin-sdk'
import { completeRerankAnswer } from './complete-rerank-answer.ts'
import { cohereRerankBody } from './cohere-transport.ts'
import { documentText, estimateRerankPrompt, estimateSearchUnits } from './rerank-request.ts'
import { readRerankUpstreamError } from './rerank-dialect.ts'
import { readRerankUsage } from './rerank-usage.ts'

// The pure parts of rerank: Cohere's search-unit rule, documents as Cohere's strings, usage from either
// vendor's answer, and the upstream error readers.
// see https://docs.cohere.com/reference/rerank and https://jina.ai/reranker

describe('search units (one per 100 documents begun)', () => {
  test('1 to 100 documents are one unit, 101 are two, 1000 are ten', () => {
    expect([1, 100, 101, 250, 1000].map(estimateSearchUnits)).toEqual([1, 1, 2, 3, 10])
  })

  test("the prompt estimate counts the query and every document's text and expects the search units", () => {
    const estimate = estimateRerankPrompt({ model: 'rerank-v3.5', query: 'capital', documents: ['a', { text: 'b' }, { title: 't', body: 'c' }] })
    expect(estimate).toEqual({ texts: ['capital', 'a', 'b', 'title: t\nbody: c'], fixedTokens: 0, quantities: { searchUnits: 1 } })
  })

  test('top_n above the number of documents is refused with a 400 naming top_n', () => {
    const refuse = () => estimateRerankPrompt({ model: 'rerank-v3.5', query: 'q', documents: ['a'], top_n: 2 })
    expect(refuse).toThrow(GatewayError)
    expect(refuse).toThrow("Invalid value for 'top_n': 2 is more than the 1 document sent; it must be between 1 and the number of documents.")
  })
})

describe("documents as Cohere's strings", () => {
  test('strings stay, {text} objects give their text, records become name: value lines, rank_fields keeps only those', () => {
    expect(documentText('plain')).toBe('plain')
    expect(documentText({ text: 'only text' })).toBe('only text')
    expect(documentText({ title: 'T', text: 'body', year: 1864 })).toBe('title: T\ntext: body\nyear: 1864')
    expect(documentText({ title: 'T', text: 'body', year: 1864 }, ['text'])).toBe('text: body')
  })

  test('the body sent to Cohere drops rank_fields and return_documents (v1 only) and keeps everything else', () => {
    expect(cohereRerankBody({ model: 'm', query: 'q', documents: [{ a: 1 }], rank_fields: ['a'], return_documents: true, top_n: 1 })).toEqual({
      model: 'm',
      query: 'q',
      documents: ['a: 1'],
      top_n: 1,
    })
  })
})

describe('documents filled into answers that lack them', () => {
  const request = { model: 'm', query: 'q', documents: ['zero', { text: 'one' }, { title: 'T', text: 'two' }], return_documents: true }

  test("each result without a document gets the text of the request's document at its index", () => {
    const answer = {
      id: 'x',
      results: [
        { index: 2, relevance_score: 0.9 },
        { index: 1, relevance_score: 0.5 },
      ],
      meta: { billed_units: { search_units: 1 } },
    }
    expect(completeRerankAnswer(answer, request)).toEqual({
      id: 'x',
      results: [
        { index: 2, relevance_score: 0.9, document: { text: 'title: T\ntext: two' } },
        { index: 1, relevance_score: 0.5, document: { text: 'one' } },
      ],
      meta: { billed_units: { search_units: 1 } },
    })
  })

  test('documents the upstream returned stay as they are, and nothing is added when the client did not ask', () => {
    const answer = { results: [{ index: 0, relevance_score: 0.9, document: { text: 'as Jina sent it' } }] }
    expect(completeRerankAnswer(answer, request)).toEqual(answer)
    const plain = { results: [{ index: 0, relevance_score: 0.9 }] }
    expect(completeRerankAnswer(plain, { ...request, return_documents: false })).toBe(plain)
  })
})

describe('usage of a rerank answer', () => {
  test("Cohere's billed search units", () => {
    expect(readRerankUsage({ results: [], meta: { billed_units: { search_units: 2 } } })).toMatchObject({
      inputTokens: 0,
      outputTokens: 0,
      quantities: { searchUnits: 2 },
    })
  })

  test("Jina's total tokens", () => {
    const usage = readRerankUsage({ model: 'jina-reranker-m0', usage: { total_tokens: 815 }, results: [] })
    expect(usage).toMatchObject({ inputTokens: 815, outputTokens: 0 })
    expect(usage?.quantities).toBeUndefined()
  })

  test('no usage at all is undefined, so the gateway estimates', () => {
    expect(readRerankUsage({ results: [] })).toBeUndefined()
    expect(readRerankUsage({ results: [], meta: { api_version: { version: '2' } } })).toBeUndefined()
  })
})

describe('upstream errors', () => {
  test("Cohere's {message}, Jina's {detail}, else the text", () => {
    expect(readRerankUpstreamError(400, '{"id":"x","message":"invalid request: query cannot be empty"}')).toEqual({
      message: 'invalid request: query cannot be empty',
    })
    expect(readRerankUpstreamError(401, '{"detail":"Invalid API key"}')).toEqual({ message: 'Invalid API key' })
    expect(readRerankUpstreamError(502, '')).toEqual({ message: 'upstream answered HTTP 502' })
  })
})
