import { GatewayError } from '../errors.ts'
import { parseDeferred, type DeferredStrings, type ParsedBody } from './deferred-strings.ts'

const decoders: Record<string, CompressionFormat> = { gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate', br: 'brotli' as CompressionFormat }

/**
 * Reads a request body up to `maxBytes` measured after decompression, failing with 413 as soon as
 * the limit is crossed, so a gzip bomb is never inflated into memory.
 */
export async function readLimitedBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase()
  if (encoding === 'identity' && Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes)
  if (!request.body) return new Uint8Array(0)
  // The common case: a plain body whose declared length is within the limit (and Bun holds the
  // connection to that length), read in one native call.
  if ((encoding === 'identity' || encoding === '') && Number.isFinite(declared)) {
    try {
      return await request.bytes()
    } catch {
      throw new GatewayError(400, 'invalid_request', 'Could not read the request body')
    }
  }
  let stream: ReadableStream<Uint8Array> = request.body
  if (encoding !== 'identity' && encoding !== '') {
    const format = decoders[encoding]
    if (!format) throw new GatewayError(415, 'unsupported_media_type', `Unsupported Content-Encoding "${encoding}"; use gzip, deflate, br or none`)
    stream = stream.pipeThrough(new DecompressionStream(format) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>)
  }
  return collect(stream, maxBytes, encoding)
}

async function collect(stream: ReadableStream<Uint8Array>, maxBytes: number, encoding: string): Promise<Uint8Array<ArrayBuffer>> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) throw tooLarge(maxBytes)
      chunks.push(value)
    }
  } catch (error) {
    if (error instanceof GatewayError) throw error
    throw new GatewayError(400, 'invalid_request', `Could not read the request body${encoding === 'identity' ? '' : ` (${encoding} data is corrupt)`}`)
  } finally {
    reader.cancel().catch(() => {})
  }
  return new Uint8Array(Bun.concatArrayBuffers(chunks))
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError(
    413,
    'request_too_large',
    `Request body is larger than the ${Math.round((maxBytes / 1024 / 1024) * 100) / 100} MB limit (measured after decompression)`,
  )
}

const utf8 = new TextDecoder()

/** Parses a JSON object body, with a 400 that says what is wrong. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  return parseJsonBody(bytes, false).body
}

/**
 * Parses a JSON object body like parseJsonObject; with `deferLongStrings`, its long string values stay in
 * `bytes` until read (see deferred-strings.ts), and `deferred` must be revealed once the body is validated.
 */
export function parseJsonBody(bytes: Uint8Array, deferLongStrings: boolean): { body: Record<string, unknown>; deferred?: DeferredStrings } {
  if (bytes.byteLength === 0) throw new GatewayError(400, 'invalid_json', 'Request body is empty; expected a JSON object')
  let parsed: ParsedBody
  try {
    parsed = deferLongStrings ? parseDeferred(bytes) : { body: JSON.parse(utf8.decode(bytes)) }
  } catch (error) {
    throw new GatewayError(400, 'invalid_json', `Request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  const value = parsed.body
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new GatewayError(400, 'invalid_json', 'Request body must be a JSON object')
  return { body: value as Record<string, unknown>, deferred: parsed.deferred }
}
