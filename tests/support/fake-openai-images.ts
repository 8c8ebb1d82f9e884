import type { Server } from 'bun'

// A fake OpenAI Images API (and Azure OpenAI's deployment image routes) on 127.0.0.1 that records exactly what it
// received — JSON bodies, multipart text fields and each uploaded file's bytes — so tests can check the gateway
// forwarded the client's files untouched.
// see https://platform.openai.com/docs/api-reference/images (create, createEdit, createVariation; the image object:
//   {created, data:[{url}|{b64_json, revised_prompt?}], usage?} with gpt-image-1's usage
//   {input_tokens, output_tokens, total_tokens, input_tokens_details:{text_tokens, image_tokens}})
// see https://learn.microsoft.com/azure/ai-foundry/openai/reference (`/openai/deployments/{d}/images/generations?api-version=…`, `api-key`)

/** A 1×1 PNG, the image every answer holds. */
export const FAKE_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

/** Tokens the fake reports for gpt-image-1: the prompt's text, each input image, each output image. */
export const FAKE_GPT_IMAGE_TOKENS = { text: 14, perInputImage: 323, perOutputImage: 1056 }

/** One uploaded file as the fake received it. */
export interface ReceivedFile {
  name: string
  type: string
  bytes: Uint8Array
}

/** A request as the fake received it. */
export interface ReceivedImageRequest {
  /** Path without the query string. */
  path: string
  /** `api-version` query parameter (Azure). */
  apiVersion: string | null
  /** Authorization header (OpenAI) or api-key header (Azure). */
  auth: string | null
  /** Request Content-Type. */
  contentType: string
  /** JSON body (generations) or the multipart text fields. */
  fields: Record<string, unknown>
  /** Multipart files by field name, in the order received. */
  files: Record<string, ReceivedFile[]>
}

/** A running fake. */
export interface FakeOpenAIImages {
  /** Base URL, as an OpenAI or Azure channel's base URL. */
  url: string
  /** Requests received, oldest first. */
  requests: ReceivedImageRequest[]
  /** Answers the next call with this many images whatever `n` asked (an upstream returning fewer than asked). */
  returnImages?: number
  /** Answers the next call with this status and OpenAI error body. */
  failNext?: { status: number; message: string }
  reset(): void
  stop(): Promise<void>
}

/** One image in the answer's shape for the requested format. */
function imageItem(index: number, format: string, revisedPrompt: string | undefined): Record<string, unknown> {
  const item: Record<string, unknown> = format === 'b64_json' ? { b64_json: FAKE_PNG_BASE64 } : { url: `https://images.fake.example/img-${index}.png` }
  if (revisedPrompt !== undefined) item.revised_prompt = revisedPrompt
  return item
}

/** Reads a JSON body or a multipart form into fields and files. */
async function receive(request: Request, path: string, url: URL): Promise<ReceivedImageRequest> {
  const contentType = request.headers.get('content-type') ?? ''
  const fields: Record<string, unknown> = {}
  const files: Record<string, ReceivedFile[]> = {}
  if (contentType.startsWith('multipart/form-data')) {
    const form = await request.formData()
    for (const [name, entry] of form.entries()) {
      const value = entry as string | File
      if (typeof value === 'string') fields[name] = value
      else (files[name] ??= []).push({ name: value.name, type: value.type, bytes: new Uint8Array(await value.arrayBuffer()) })
    }
  } else Object.assign(fields, (await request.json()) as Record<string, unknown>)
  const auth = request.headers.get('authorization') ?? request.headers.get('api-key')
  return { path, apiVersion: url.searchParams.get('api-version'), auth, contentType, fields, files }
}

/** The answer to one image call. */
function answer(received: ReceivedImageRequest, model: string, returnImages: number | undefined): Record<string, unknown> {
  const requested = Number(received.fields.n ?? 1)
  const count = returnImages ?? requested
  const gptImage = model.startsWith('gpt-image')
  // gpt-image-1 always answers base64 and reports token usage; dall-e-3 rewrites the prompt.
  const format = gptImage ? 'b64_json' : String(received.fields.response_format ?? 'url')
  const revised = model === 'dall-e-3' ? `A vivid rendering of: ${String(received.fields.prompt)}` : undefined
  const body: Record<string, unknown> = { created: 1_748_736_000, data: Array.from({ length: count }, (_, index) => imageItem(index, format, revised)) }
  if (gptImage) {
    const inputImages = (received.files.image?.length ?? 0) + (received.files['image[]']?.length ?? 0)
    const imageTokens = inputImages * FAKE_GPT_IMAGE_TOKENS.perInputImage
    const output = count * FAKE_GPT_IMAGE_TOKENS.perOutputImage
    const input = FAKE_GPT_IMAGE_TOKENS.text + imageTokens
    body.usage = {
      input_tokens: input,
      output_tokens: output,
      total_tokens: input + output,
      input_tokens_details: { text_tokens: FAKE_GPT_IMAGE_TOKENS.text, image_tokens: imageTokens },
    }
  }
  return body
}

/** Starts the fake; `azureDeployments` maps deployment names to models for the Azure routes. */
export async function startFakeOpenAIImages(options: { azureDeployments?: Record<string, string>; azureKey?: string } = {}): Promise<FakeOpenAIImages> {
  const fake: FakeOpenAIImages = {
    url: '',
    requests: [],
    reset() {
      fake.requests.length = 0
      fake.returnImages = undefined
      fake.failNext = undefined
    },
    stop: async () => server.stop(true),
  }
  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      const openai = /^\/v1\/images\/(generations|edits|variations)$/.exec(url.pathname)
      const azure = /^\/openai\/deployments\/([^/]+)\/images\/(generations|edits|variations)$/.exec(url.pathname)
      if (request.method !== 'POST' || (!openai && !azure))
        return Response.json({ error: { message: 'Not found', type: 'invalid_request_error' } }, { status: 404 })
      const received = await receive(request, url.pathname, url)
      fake.requests.push(received)
      if (azure && (received.auth !== options.azureKey || !received.apiVersion))
        return Response.json({ error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } }, { status: 401 })
      if (openai && !received.auth?.startsWith('Bearer '))
        return Response.json({ error: { message: 'Missing bearer', type: 'invalid_request_error' } }, { status: 401 })
      if (fake.failNext) {
        const { status, message } = fake.failNext
        fake.failNext = undefined
        return Response.json({ error: { message, type: 'invalid_request_error', param: null, code: null } }, { status })
      }
      const model = azure ? (options.azureDeployments?.[azure[1]!] ?? '') : String(received.fields.model ?? 'dall-e-2')
      const returnImages = fake.returnImages
      fake.returnImages = undefined
      return Response.json(answer(received, model, returnImages))
    },
  })
  fake.url = `http://127.0.0.1:${server.port}`
  return fake
}
