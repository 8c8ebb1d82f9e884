import type { Server } from 'bun'
import { FAKE_PNG_BASE64 } from './fake-openai-images.ts'

// A fake Gemini API serving Imagen's `:predict` on 127.0.0.1: records each call and answers one prediction per
// requested sample in Google's shape. see https://ai.google.dev/gemini-api/docs/imagen
// (POST /v1beta/models/{model}:predict, x-goog-api-key; {instances:[{prompt}], parameters:{sampleCount, aspectRatio}}
// → {predictions:[{bytesBase64Encoded, mimeType}]}; errors as {error:{code, message, status}}).

/** A `:predict` call as the fake received it. */
export interface ImagenRequest {
  path: string
  apiKey: string | null
  body: Record<string, unknown>
}

/** A running fake. */
export interface FakeImagen {
  url: string
  requests: ImagenRequest[]
  stop(): Promise<void>
}

/** Starts the fake; it accepts `apiKey` only. */
export async function startFakeImagen(apiKey: string): Promise<FakeImagen> {
  const requests: ImagenRequest[] = []
  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      const match = /^\/v1beta\/models\/([^/:]+):predict$/.exec(url.pathname)
      if (request.method !== 'POST' || !match) return Response.json({ error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } }, { status: 404 })
      const body = (await request.json()) as Record<string, unknown>
      requests.push({ path: url.pathname, apiKey: request.headers.get('x-goog-api-key'), body })
      if (request.headers.get('x-goog-api-key') !== apiKey)
        return Response.json({ error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } }, { status: 400 })
      const parameters = (body.parameters ?? {}) as { sampleCount?: number }
      const predictions = Array.from({ length: parameters.sampleCount ?? 4 }, () => ({ bytesBase64Encoded: FAKE_PNG_BASE64, mimeType: 'image/png' }))
      return Response.json({ predictions })
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: async () => server.stop(true) }
}
