import type { Server } from 'bun'
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai.ts'
import { loadFixture } from './fixtures.ts'

// A fake Azure OpenAI resource: checks what Azure checks (deployment URL, api-version, api-key) and
// answers in OpenAI's wire format, which Azure shares, by handing the call to a fake OpenAI behind it.
// see https://learn.microsoft.com/azure/ai-services/openai/reference (deployment calls; Models - List at /openai/models)

/** A request as the fake Azure resource received it. */
export interface AzureRequest {
  path: string
  apiVersion: string | null
  deployment: string | null
  apiKey: string | null
  body: Record<string, unknown> | undefined
}

/** A running fake Azure resource. */
export interface FakeAzure {
  /** The resource endpoint, as a channel's base URL. */
  url: string
  /** Requests received, oldest first. */
  requests: AzureRequest[]
  /** The OpenAI-format fake that produces the answers (set scenarios on it). */
  backend: FakeOpenAI
  reset(): void
  stop(): Promise<void>
}

const azureError = (status: number, code: string, message: string) => Response.json({ error: { code, message } }, { status })

/** Starts the fake with the deployments it knows (deployment → model) and the key it accepts. */
export async function startFakeAzure(options: { apiKey: string; deployments: Record<string, string> }): Promise<FakeAzure> {
  const backend = await startFakeOpenAI()
  const requests: AzureRequest[] = []
  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url)
      const text = await request.text()
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined
      const match = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings)$/.exec(url.pathname)
      const deployment = match?.[1] ?? (url.pathname === '/openai/responses' ? String(body?.model ?? '') : null)
      requests.push({ path: url.pathname, apiVersion: url.searchParams.get('api-version'), deployment, apiKey: request.headers.get('api-key'), body })
      if (request.headers.get('api-key') !== options.apiKey)
        return azureError(401, '401', 'Access denied due to invalid subscription key or wrong API endpoint.')
      if (!url.searchParams.get('api-version')) return azureError(404, '404', 'Resource not found')
      // Models - List: the models the resource may use (not its deployments).
      if (request.method === 'GET' && url.pathname === '/openai/models') return Response.json(loadFixture('azure', 'azure-models.json'))
      if (deployment === null) return azureError(404, '404', 'Resource not found')
      const model = options.deployments[deployment]
      if (!model) return azureError(404, 'DeploymentNotFound', `The API deployment for this resource does not exist.`)
      const path = match ? `/v1/${match[2]}` : '/v1/responses'
      return fetch(`${backend.url}${path}`, {
        method: 'POST',
        headers: { authorization: 'Bearer azure-backend', 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, model }),
      })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    backend,
    reset() {
      requests.length = 0
      backend.reset()
    },
    async stop() {
      await server.stop(true)
      await backend.stop()
    },
  }
}
