// The fixture convention of the conformance kit. A plugin keeps a `conformance/` folder beside its
// entry file: `conformance.json` (optional: unpriced models, the gateway step) and one
// `<name>.case.json` per recorded exchange. File references in them are paths relative to the folder.
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { FinishReason, HubChatRequest } from '../hub.ts'

/** What a decoded answer must show; only the members given are compared (arrays must match in length). */
export interface ExpectedAnswer {
  /** Text of choice 0, all deltas joined. */
  text?: string
  /** Reasoning text of choice 0. */
  reasoning?: string
  /** Tool calls of choice 0 in order; `arguments` is compared as parsed JSON. */
  toolCalls?: Array<{ id?: string; name: string; arguments?: unknown }>
  /** Finish reason of choice 0 in hub terms. */
  finishReason?: FinishReason
  /** Usage in hub terms (any subset of its counts). */
  usage?: Record<string, number>
  /** Answer id, when the fixture pins it. */
  id?: string
  /** The model the answer names, when the fixture pins it. */
  model?: string
}

/** A recorded stream: raw bytes as the upstream sent them, or JSON-per-line chunks framed as SSE by the kit. */
export type StreamSource =
  | string
  | {
      /** One JSON object per line (the `__fixtures__/*.chunks.txt` convention). */ chunks: string /** Name each event after this member of its JSON (Anthropic, OpenAI Responses: `type`). */
      eventField?: string /** End with `data: [DONE]` (OpenAI Chat). */
      done?: boolean /** Line end of the framing (Gemini: `\r\n`). */
      lineEnd?: string
    }

/** A transport case: the upstream request a channel type builds for one call. */
export interface TransportCase {
  /** The channel type whose transport builds the request. */
  channelType: string
  /** The channel's parts (base URL, key, settings; `config` defaults to the gateway's defaults). */
  channel: { baseUrl: string; key: string; settings?: Record<string, unknown>; config?: Record<string, string> }
  /** The call: dialect, endpoint, model, stream and body. */
  call: { dialect: string; endpoint: string; model: string; stream: boolean; body: Record<string, unknown> }
  /** What the request must be (subset: url, method, headers, and `body` compared as parsed JSON). */
  expect: Record<string, unknown>
}

/** A model listing case: one recorded page of the upstream's model list. */
export interface ListingCase {
  /** The channel type whose `modelListing` reads the page. */
  channelType: string
  /** The page's JSON body: inline or a path. */
  page: unknown
  /** The model ids it must read, in order (subset of the page result: `models`, `nextCursor`). */
  expect: Record<string, unknown>
}

/** One `<name>.case.json`: a recorded exchange. Every part is optional; codec parts need `dialect`. */
export interface ConformanceCaseFile {
  /** The dialect (a plugin's `dialects[].dialect`) whose codec this case exercises. */
  dialect?: string
  /** A channel type's transport building the upstream request. */
  transport?: TransportCase
  /** A channel type's model listing reading a page. */
  listing?: ListingCase
  /** What the case shows, for people. */
  description?: string
  /** A hub request to encode with the dialect's hub codec ... */
  request?: HubChatRequest
  /** ... and what the upstream body must contain (a subset of `encodeRequest(request).value`). */
  upstreamRequest?: Record<string, unknown>
  /** A complete upstream response body: inline JSON or a path to a JSON file. */
  response?: unknown
  /** What decoding `response` must give. */
  expect?: ExpectedAnswer
  /** A recorded upstream stream, decoded with the chunk boundary at every byte offset. */
  stream?: StreamSource
  /** What decoding `stream` must give (default: `expect`). */
  expectStream?: ExpectedAnswer
  /** A recorded upstream error: its status and body (inline JSON or a path to a file). */
  error?: { status: number; body: unknown }
  /** What the dialect's `readUpstreamError` must read from it (subset). */
  expectError?: { message?: string; code?: string }
  /**
   * A client request body for the dialect's `estimatePrompt`, and what the estimate must hold (subset of
   * `{ texts, fixedTokens, quantities }`); its `quantities` must be camelCase names with non-negative amounts.
   */
  estimate?: { body: Record<string, unknown>; expect: Record<string, unknown> }
}

/** A loaded case: the file's name plus its referenced files read. */
export interface ConformanceCase {
  /** The case's name: its file name without `.case.json`. */
  name: string
  /** The case file as written. */
  file: ConformanceCaseFile
  /** The response body, parsed. */
  response?: unknown
  /** The stream's bytes. */
  stream?: Uint8Array
  /** The error body as text. */
  errorBody?: string
  /** The listing page, parsed. */
  listingPage?: unknown
}

/** The gateway step of `conformance.json`: how to reach the plugin through a real gateway. */
export interface GatewayStepConfig {
  /** Channel type to create. */
  channelType: string
  /** The dialect the channel sends upstream (the fake upstream answers with cases in this dialect). */
  dialect: string
  /** Model the SDK clients call. */
  model: string
  /** Channel settings. */
  settings?: Record<string, unknown>
  /** Cases to replay (default: every case in `dialect` with a response or a stream and an expectation). */
  cases?: string[]
  /** Content type of replayed streams (default `text/event-stream`; e.g. `application/x-ndjson` for a plugin with frameStream). */
  streamContentType?: string
}

/** `conformance.json`. */
export interface ConformanceConfig {
  /** Models deliberately without a list price, each with the reason (e.g. "priced per deployment by the operator"). */
  unpriced?: Record<string, string>
  /** The gateway step; without it the step is skipped with a note. */
  gateway?: GatewayStepConfig
}

/** Raised when the fixture folder itself is malformed; the message names the file. */
export class FixtureFileError extends Error {}

const encoder = new TextEncoder()

/** Reads inline JSON, or the JSON file a string names. */
function jsonOrFile(folder: string, value: unknown, where: string): unknown {
  if (typeof value !== 'string') return value
  const path = resolve(folder, value)
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new FixtureFileError(`${where}: cannot read JSON from ${path}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Text of an inline value (JSON-serialised) or of the file a string names. */
function textOrFile(folder: string, value: unknown, where: string): string {
  if (typeof value !== 'string') return JSON.stringify(value)
  const path = resolve(folder, value)
  if (!existsSync(path)) throw new FixtureFileError(`${where}: no file at ${path}`)
  return readFileSync(path, 'utf8')
}

/** The bytes of a recorded stream: a raw file as it is, or JSON-per-line chunks framed as SSE. */
export function streamBytes(folder: string, source: StreamSource, where: string): Uint8Array {
  if (typeof source === 'string') {
    const path = resolve(folder, source)
    if (!existsSync(path)) throw new FixtureFileError(`${where}: no file at ${path}`)
    return new Uint8Array(readFileSync(path))
  }
  const end = source.lineEnd ?? '\n'
  const lines = textOrFile(folder, source.chunks, where)
    .split('\n')
    .filter((line) => line.trim() !== '')
  let text = ''
  for (const line of lines) {
    const parsed = JSON.parse(line) as Record<string, unknown>
    const name = source.eventField ? parsed[source.eventField] : undefined
    if (typeof name === 'string') text += `event: ${name}${end}`
    text += `data: ${JSON.stringify(parsed)}${end}${end}`
  }
  if (source.done) text += `data: [DONE]${end}${end}`
  return encoder.encode(text)
}

/** The plugin's `conformance/` folder, or undefined when it has none. */
export function fixtureFolder(pluginFolder: string): string | undefined {
  const folder = join(pluginFolder, 'conformance')
  return existsSync(folder) ? folder : undefined
}

/** Reads `conformance.json` (empty when absent). */
export function loadConfig(folder: string): ConformanceConfig {
  const path = join(folder, 'conformance.json')
  return existsSync(path) ? (jsonOrFile(folder, 'conformance.json', 'conformance.json') as ConformanceConfig) : {}
}

/** Reads every `<name>.case.json` in the folder, sorted by name, with the files they reference. */
export function loadCases(folder: string): ConformanceCase[] {
  return readdirSync(folder)
    .filter((entry) => entry.endsWith('.case.json'))
    .sort()
    .map((entry) => {
      const name = entry.slice(0, -'.case.json'.length)
      const where = `fixture "${name}" (${entry})`
      const file = jsonOrFile(folder, entry, where) as ConformanceCaseFile
      const codecParts = file.request !== undefined || file.response !== undefined || file.stream !== undefined || file.error !== undefined
      if (codecParts && typeof file.dialect !== 'string')
        throw new FixtureFileError(`${where}: "dialect" must name the dialect its request, response, stream or error is in`)
      const loaded: ConformanceCase = { name, file }
      if (file.listing) loaded.listingPage = jsonOrFile(folder, file.listing.page, `${where} listing page`)
      if (file.response !== undefined) loaded.response = jsonOrFile(folder, file.response, `${where} response`)
      if (file.stream !== undefined) loaded.stream = streamBytes(folder, file.stream, `${where} stream`)
      if (file.error !== undefined) loaded.errorBody = textOrFile(folder, file.error.body, `${where} error`)
      return loaded
    })
}
