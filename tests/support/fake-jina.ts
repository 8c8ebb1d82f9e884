import { answerRerank, type RerankFault } from './fake-rerank.ts'

// A fake Jina API on 127.0.0.1: POST /v1/rerank answers in Jina's shape (model, usage.total_tokens,
// results) computed from the request (see fake-rerank.ts), POST /v1/embeddings in Jina's OpenAI-compatible
// shape (object list, data[].embedding, usage.total_tokens and prompt_tokens), `dimensions` honoured.
// Errors are FastAPI's `{detail}`. The same server stands in for OpenAI-compatible rerank servers (vLLM,
// Xinference, SiliconFlow), which answer `/v1/rerank` in Jina's shape.
// see https://jina.ai/reranker and https://jina.ai/embeddings (API examples)

/** One request the fake received. */
export interface FakeJinaRequest {
  /** URL path. */
  path: string
  /** The `Authorization` header. */
  authorization: string | null
  /** The JSON body. */
  body: Record<string, unknown>
}

/** A running fake. */
export interface FakeJina {
  /** Base URL, as a channel's base URL. */
  readonly url: string
  /** Every request received, oldest first. */
  readonly requests: FakeJinaRequest[]
  /** Faults or raw answers used one per request, first in first out; then computed answers. */
  queue(...faults: RerankFault[]): void
  /** Stops the server. */
  stop(): Promise<void>
}

/** Tokens the fake reports for embedding inputs: words of every input. */
export function fakeEmbeddingTokens(input: unknown): number {
  const inputs = Array.isArray(input) ? input : [input]
  return inputs.reduce<number>(
    (total, item) => total + (String(typeof item === 'object' && item !== null ? JSON.stringify(item) : item).match(/[\p{L}\p{N}]+/gu)?.length ?? 0),
    0,
  )
}

/** Jina's embeddings answer for a body. */
function embeddings(body: Record<string, unknown>): Response {
  const inputs = Array.isArray(body.input) ? body.input : [body.input]
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : 4
  const tokens = fakeEmbeddingTokens(body.input)
  return Response.json({
    model: body.model,
    object: 'list',
    usage: { total_tokens: tokens, prompt_tokens: tokens },
    data: inputs.map((_, index) => ({
      object: 'embedding',
      index,
      embedding: Array.from({ length: dimensions }, (_, at) => Math.round(((index + 1) / (at + 2)) * 1e4) / 1e4),
    })),
  })
}

/** Starts the fake on a free port; with `keys`, any other bearer key gets Jina's 401. */
export function startFakeJina(options: { keys?: string[] } = {}): FakeJina {
  const requests: FakeJinaRequest[] = []
  const pending: RerankFault[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname
      if (request.method !== 'POST' || (path !== '/v1/rerank' && path !== '/v1/embeddings')) return Response.json({ detail: 'Not Found' }, { status: 404 })
      const body = (await request.json()) as Record<string, unknown>
      const authorization = request.headers.get('authorization')
      requests.push({ path, authorization, body })
      if (options.keys && !options.keys.some((key) => authorization === `Bearer ${key}`))
        return Response.json({ detail: 'Invalid API key: please provide a valid Jina API key' }, { status: 401 })
      const fault = pending.shift()
      if (path === '/v1/embeddings')
        return fault && 'status' in fault ? Response.json(fault.body, { status: fault.status }) : fault ? Response.json(fault.raw) : embeddings(body)
      return answerRerank('jina', body, fault)
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    queue: (...faults) => void pending.push(...faults),
    stop: () => server.stop(true),
  }
}
