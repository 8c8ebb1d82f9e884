import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeCohere, type FakeCohere } from '../support/fake-cohere.ts'
import { startFakeJina, type FakeJina } from '../support/fake-jina.ts'
import { fakeJinaTokens } from '../support/fake-rerank.ts'

// Issue 12 item 1: POST /v1/rerank (and /v2/rerank, /rerank) with plain HTTP, in Cohere's and Jina's request
// shapes, through cohere, jina and openai-compatible channels in front of fakes speaking each wire format;
// billing to the unit (Cohere search units, Jina tokens, the estimate when no usage comes back), failover
// between two rerank channels, bad input refused before anything is charged, and rerank/chat kept apart.

const QUERY = 'What is the capital of the United States?'
const DOCUMENTS = [
  'Carson City is the capital city of the American state of Nevada.',
  'The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean. Its capital is Saipan.',
  'Washington, D.C. is the capital of the United States. It is a federal district.',
  'Capitalization in English grammar is the use of a capital letter at the start of a word.',
  'Capital punishment has existed in the United States since before it was a country.',
]

interface RerankAnswer {
  id?: string
  model?: string
  results: Array<{ index: number; relevance_score: number; document?: { text: string } }>
  meta?: { api_version?: { version: string }; billed_units?: { search_units?: number } }
  usage?: { total_tokens: number }
}

describe('rerank through cohere, jina and openai-compatible channels', () => {
  let gateway: TestGateway
  let cohere: FakeCohere
  let jina: FakeJina
  let compatible: FakeJina
  let backupCohere: FakeCohere
  let key: string
  let userId: number

  beforeAll(async () => {
    cohere = startFakeCohere({ keys: ['co-key'] })
    backupCohere = startFakeCohere({ keys: ['co-backup'] })
    jina = startFakeJina({ keys: ['jina-key'] })
    compatible = startFakeJina({ keys: ['vllm-key'] })
    gateway = await startGateway()
    await gateway.createChannel({
      name: 'cohere',
      type: 'cohere',
      key: 'co-key',
      baseUrl: cohere.url,
      models: ['rerank-v3.5', 'rerank-multilingual-v3.0'],
      priority: 10,
      modelMapping: { 'rerank-multilingual-v3.0': 'rerank-v3.5' },
    })
    await gateway.createChannel({ name: 'cohere-backup', type: 'cohere', key: 'co-backup', baseUrl: backupCohere.url, models: ['rerank-v3.5'], priority: 0 })
    await gateway.createChannel({
      name: 'jina',
      type: 'jina',
      key: 'jina-key',
      baseUrl: jina.url,
      models: ['jina-reranker-v2-base-multilingual', 'jina-embeddings-v3'],
    })
    await gateway.createChannel({ name: 'vllm', type: 'openai-compatible', key: 'vllm-key', baseUrl: compatible.url, models: ['BAAI/bge-reranker-v2-m3'] })
    await gateway.admin('PUT', '/api/models/price', { model: 'BAAI/bge-reranker-v2-m3', price: { inputPerMTok: 0.02 } })
    userId = await gateway.createUser({ username: 'rerank-user', quota: 50_000_000 })
    key = (await gateway.createToken({ userId, unlimited: true })).key
  }, 60_000)
  afterAll(async () => {
    await gateway.stop()
    await Promise.all([cohere.stop(), backupCohere.stop(), jina.stop(), compatible.stop()])
  })

  const post = (path: string, body: unknown) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  async function usageRow(response: Response): Promise<Record<string, unknown> & { details: Record<string, unknown> }> {
    const requestId = response.headers.get('x-request-id')
    const found = (await gateway.logs({ type: 'consume' })).find((entry) => entry.requestId === requestId)
    if (!found) throw new Error(`no usage row for ${requestId}`)
    return found as Record<string, unknown> & { details: Record<string, unknown> }
  }

  describe('Cohere', () => {
    test("Cohere's shape on /v2/rerank reaches Cohere as v2 takes it and answers in Cohere's shape, documents filled in, billed one search unit ($0.002 = 1000 units)", async () => {
      const before = await gateway.balance(userId)
      const response = await post('/v2/rerank', {
        model: 'rerank-v3.5',
        query: QUERY,
        documents: DOCUMENTS,
        top_n: 3,
        return_documents: true,
        max_tokens_per_doc: 512,
      })
      expect(response.status).toBe(200)
      const answer = (await response.json()) as RerankAnswer
      expect(answer.results).toHaveLength(3)
      expect(answer.results[0]).toMatchObject({ index: 2, document: { text: DOCUMENTS[2]! } })
      const scores = answer.results.map((result) => result.relevance_score)
      expect(scores).toEqual([...scores].sort((a, b) => b - a))
      expect(answer.meta).toEqual({ api_version: { version: '2', is_experimental: false }, billed_units: { search_units: 1 } } as RerankAnswer['meta'])
      expect(cohere.requests.at(-1)).toMatchObject({
        path: '/v2/rerank',
        authorization: 'Bearer co-key',
        body: { model: 'rerank-v3.5', query: QUERY, documents: DOCUMENTS, top_n: 3, max_tokens_per_doc: 512 },
      })
      // Cohere v2 has no return_documents: the gateway leaves it out upstream and fills each result's document in itself.
      expect(cohere.requests.at(-1)!.body.return_documents).toBeUndefined()
      expect(answer.results.map((result) => result.document?.text)).toEqual(answer.results.map((result) => DOCUMENTS[result.index]))
      const row = await usageRow(response)
      expect(row.quota).toBe(1000)
      expect(row.details.quantities).toEqual({ searchUnits: 1 })
      expect(row.details.quantityCharges).toEqual({ searchUnits: { amount: 1, usd: 0.002 } })
      expect(row.details.usageSource).toBe('upstream')
      expect((await gateway.balance(userId)).usedQuota - before.usedQuota).toBe(1000)
    })

    test("Jina's shape (object documents) on /v1/rerank reaches Cohere as strings (model mapped); 250 documents bill the 3 search units Cohere reports", async () => {
      const documents = Array.from({ length: 250 }, (_, index) => ({ text: `Document ${index} about the capital of somewhere.` }))
      const response = await post('/v1/rerank', { model: 'rerank-multilingual-v3.0', query: 'capital', documents, top_n: 2 })
      expect(response.status).toBe(200)
      const sent = cohere.requests.at(-1)!.body
      expect(sent.model).toBe('rerank-v3.5')
      expect((sent.documents as unknown[]).slice(0, 2)).toEqual(['Document 0 about the capital of somewhere.', 'Document 1 about the capital of somewhere.'])
      const answer = (await response.json()) as RerankAnswer
      expect(answer.results).toHaveLength(2)
      expect(answer.meta?.billed_units?.search_units).toBe(3)
      const row = await usageRow(response)
      expect([row.model, row.upstreamModel, row.quota]).toEqual(['rerank-multilingual-v3.0', 'rerank-v3.5', 3000])
    })

    test('structured documents reach Cohere as YAML-like strings, limited to rank_fields when named', async () => {
      const documents = [
        { title: 'Nevada', text: 'Carson City is the capital.', year: 1864 },
        { title: 'United States', text: 'Washington, D.C. is the capital.', year: 1790 },
      ]
      const response = await post('/rerank', { model: 'rerank-v3.5', query: QUERY, documents, rank_fields: ['title', 'text'] })
      expect(response.status).toBe(200)
      expect(cohere.requests.at(-1)!.body.documents).toEqual([
        'title: Nevada\ntext: Carson City is the capital.',
        'title: United States\ntext: Washington, D.C. is the capital.',
      ])
      expect(cohere.requests.at(-1)!.body.rank_fields).toBeUndefined()
    })

    test('an answer without billed units is billed the estimate: 1 search unit per 100 documents begun (150 documents = 2 = 2000 units)', async () => {
      cohere.queueRerank({ raw: { id: 'no-meta', results: [{ index: 0, relevance_score: 0.5 }] } })
      const documents = Array.from({ length: 150 }, (_, index) => `Document ${index}`)
      const response = await post('/v1/rerank', { model: 'rerank-v3.5', query: 'capital', documents, top_n: 1 })
      expect(response.status).toBe(200)
      const row = await usageRow(response)
      expect(row.details.usageSource).toBe('counted')
      expect(row.details.quantities).toEqual({ searchUnits: 2 })
      expect(row.quota).toBe(2000)
    })

    test('a failing Cohere channel fails over to the next rerank channel before the client sees anything, and the answer is billed once', async () => {
      cohere.queueRerank({ status: 500, body: { id: 'x', message: 'internal server error' } })
      const before = await gateway.balance(userId)
      const backupCalls = backupCohere.requests.length
      const response = await post('/v1/rerank', { model: 'rerank-v3.5', query: QUERY, documents: DOCUMENTS, top_n: 1 })
      expect(response.status).toBe(200)
      expect(((await response.json()) as RerankAnswer).results[0]!.index).toBe(2)
      expect(backupCohere.requests.length).toBe(backupCalls + 1)
      expect(backupCohere.requests.at(-1)!.authorization).toBe('Bearer co-backup')
      expect((await gateway.balance(userId)).usedQuota - before.usedQuota).toBe(1000)
    })

    test("the caller's group ratio applies to search units: one search unit in a group at ×1.5 is 1500 units", async () => {
      await gateway.admin('PUT', '/api/groups/rerank-vip', { ratio: 1.5 })
      await gateway.createChannel({ name: 'cohere-vip', type: 'cohere', key: 'co-key', baseUrl: cohere.url, models: ['rerank-v3.5'], groups: ['rerank-vip'] })
      const vipUser = await gateway.createUser({ username: 'rerank-vip', quota: 5_000_000, group: 'rerank-vip' })
      const vipKey = (await gateway.createToken({ userId: vipUser, unlimited: true })).key
      const response = await fetch(`${gateway.url}/v1/rerank`, {
        method: 'POST',
        headers: { authorization: `Bearer ${vipKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'rerank-v3.5', query: QUERY, documents: DOCUMENTS }),
      })
      expect(response.status).toBe(200)
      const row = await usageRow(response)
      expect([row.quota, row.details.groupRatio]).toEqual([1500, 1.5])
      expect((await gateway.balance(vipUser)).usedQuota).toBe(1500)
    })

    test('the expected search units are reserved before the call: a balance below one unit is refused and Cohere is never called', async () => {
      const poorUser = await gateway.createUser({ username: 'rerank-poor', quota: 999 })
      const poorKey = (await gateway.createToken({ userId: poorUser, unlimited: true })).key
      const calls = cohere.requests.length
      const response = await fetch(`${gateway.url}/v1/rerank`, {
        method: 'POST',
        headers: { authorization: `Bearer ${poorKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'rerank-v3.5', query: QUERY, documents: DOCUMENTS }),
      })
      expect(response.status).toBe(403)
      expect(await response.json()).toMatchObject({ code: 'insufficient_quota' })
      expect(cohere.requests.length).toBe(calls)
      expect(await gateway.balance(poorUser)).toEqual({ quota: 999, usedQuota: 0 })
    })

    test("Cohere's own 4xx comes back as Cohere wrote it, nothing charged", async () => {
      cohere.queueRerank({ status: 400, body: { id: 'y', message: 'invalid request: model rerank-v9 not found' } })
      cohere.queueRerank({ status: 400, body: { id: 'y', message: 'invalid request: model rerank-v9 not found' } })
      const before = await gateway.balance(userId)
      const response = await post('/v1/rerank', { model: 'rerank-multilingual-v3.0', query: QUERY, documents: DOCUMENTS })
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ id: 'y', message: 'invalid request: model rerank-v9 not found' })
      expect((await gateway.balance(userId)).usedQuota).toBe(before.usedQuota)
    })
  })

  describe('Jina', () => {
    test("Jina's shape reaches Jina unchanged and answers in Jina's shape, billed its total_tokens at $0.05 per 1M", async () => {
      const documents = [{ text: DOCUMENTS[0]! }, DOCUMENTS[2]!, { text: DOCUMENTS[3]! }]
      const body = { model: 'jina-reranker-v2-base-multilingual', query: QUERY, documents, top_n: 2, return_documents: true }
      const response = await post('/v1/rerank', body)
      expect(response.status).toBe(200)
      expect(jina.requests.at(-1)).toMatchObject({ path: '/v1/rerank', authorization: 'Bearer jina-key', body })
      const answer = (await response.json()) as RerankAnswer
      const tokens = fakeJinaTokens(QUERY, documents)
      expect(answer).toEqual({
        model: 'jina-reranker-v2-base-multilingual',
        usage: { total_tokens: tokens },
        results: [
          { index: 1, document: { text: DOCUMENTS[2]! }, relevance_score: expect.any(Number) },
          { index: 0, document: { text: DOCUMENTS[0]! }, relevance_score: expect.any(Number) },
        ],
      } as unknown as RerankAnswer)
      const row = await usageRow(response)
      expect(row.promptTokens).toBe(tokens)
      // tokens × $0.05 / 1M × 500,000 units per USD, at least one unit
      expect(row.quota).toBe(Math.max(1, Math.round((tokens * 0.05 * 500_000) / 1_000_000)))
      expect(row.details.quantities).toBeUndefined()
    })

    test('a large Jina call bills its tokens to the unit: 2,000,000 reported tokens at $0.05 per 1M = 50,000 units', async () => {
      jina.queue({ raw: { model: 'jina-reranker-v2-base-multilingual', usage: { total_tokens: 2_000_000 }, results: [{ index: 0, relevance_score: 0.9 }] } })
      const response = await post('/rerank', { model: 'jina-reranker-v2-base-multilingual', query: 'q', documents: ['a', 'b'] })
      expect(response.status).toBe(200)
      const row = await usageRow(response)
      expect([row.promptTokens, row.quota]).toEqual([2_000_000, 50_000])
    })

    test('Jina embeddings: the OpenAI shape with Jina extras (task, dimensions, late_chunking) reaches /v1/embeddings unchanged, billed by tokens', async () => {
      const body = { model: 'jina-embeddings-v3', input: ['hello world', 'rerank me'], task: 'retrieval.query', dimensions: 8, late_chunking: true }
      const response = await post('/v1/embeddings', body)
      expect(response.status).toBe(200)
      expect(jina.requests.at(-1)).toMatchObject({ path: '/v1/embeddings', body })
      const answer = (await response.json()) as { data: Array<{ embedding: number[] }>; usage: { total_tokens: number } }
      expect(answer.data.map((item) => item.embedding.length)).toEqual([8, 8])
      expect(answer.usage.total_tokens).toBe(4)
      expect((await usageRow(response)).promptTokens).toBe(4)
    })
  })

  describe('OpenAI-compatible', () => {
    test("an openai-compatible channel forwards /v1/rerank as-is to {base}/v1/rerank and the answer (vLLM's, Jina-shaped) comes back as-is", async () => {
      const body = { model: 'BAAI/bge-reranker-v2-m3', query: QUERY, documents: DOCUMENTS, top_n: 1 }
      const response = await post('/v1/rerank', body)
      expect(response.status).toBe(200)
      expect(compatible.requests.at(-1)).toMatchObject({ path: '/v1/rerank', authorization: 'Bearer vllm-key', body })
      const answer = (await response.json()) as RerankAnswer
      expect(answer.results.map((result) => result.index)).toEqual([2])
      expect(answer.usage?.total_tokens).toBe(fakeJinaTokens(QUERY, DOCUMENTS))
      expect((await usageRow(response)).promptTokens).toBe(fakeJinaTokens(QUERY, DOCUMENTS))
    })
  })

  describe('bad input: a clear 400 in the rerank error shape, nothing sent upstream, nothing charged', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['no documents', { model: 'rerank-v3.5', query: QUERY, documents: [] }, 'documents'],
      ['documents missing', { model: 'rerank-v3.5', query: QUERY }, 'documents'],
      ['an empty query', { model: 'rerank-v3.5', query: '', documents: DOCUMENTS }, 'query'],
      ['a blank query', { model: 'rerank-v3.5', query: '   ', documents: DOCUMENTS }, 'query'],
      ['10,000 documents (more than 1,000)', { model: 'rerank-v3.5', query: QUERY, documents: Array.from({ length: 10_000 }, () => 'd') }, 'documents'],
      ['top_n of 0', { model: 'rerank-v3.5', query: QUERY, documents: DOCUMENTS, top_n: 0 }, 'top_n'],
      ['a negative top_n', { model: 'jina-reranker-v2-base-multilingual', query: QUERY, documents: DOCUMENTS, top_n: -1 }, 'top_n'],
      ['top_n above the number of documents', { model: 'rerank-v3.5', query: QUERY, documents: DOCUMENTS, top_n: 6 }, 'top_n'],
    ]
    for (const [name, body, param] of cases)
      test(name, async () => {
        const before = await gateway.balance(userId)
        const sent = cohere.requests.length + jina.requests.length
        const response = await post('/v1/rerank', body)
        expect(response.status).toBe(400)
        const error = (await response.json()) as { message: string; code: string; param?: string }
        expect(error.param).toBe(param)
        expect(error.message).toContain(`'${param}'`)
        expect(cohere.requests.length + jina.requests.length).toBe(sent)
        expect((await gateway.balance(userId)).usedQuota).toBe(before.usedQuota)
      })

    test('the top_n message says what the limit is', async () => {
      const response = await post('/v1/rerank', { model: 'rerank-v3.5', query: QUERY, documents: DOCUMENTS, top_n: 6 })
      expect(((await response.json()) as { message: string }).message).toBe(
        "Invalid value for 'top_n': 6 is more than the 5 documents sent; it must be between 1 and the number of documents.",
      )
    })
  })

  describe('abilities: rerank models never take chat traffic and chat models never take rerank traffic', () => {
    test('a chat call to a rerank model is refused with 404 before routing', async () => {
      const response = await post('/v1/chat/completions', { model: 'rerank-v3.5', messages: [{ role: 'user', content: 'hi' }] })
      expect(response.status).toBe(404)
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('model_not_supported')
    })

    test('a rerank call to a chat model is refused with 404 in the rerank error shape', async () => {
      const response = await post('/v1/rerank', { model: 'command-r', query: QUERY, documents: DOCUMENTS })
      expect(response.status).toBe(404)
      expect(await response.json()).toMatchObject({ code: 'model_not_supported', param: 'model' })
    })
  })
})
