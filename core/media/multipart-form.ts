import type { FormFile, UpstreamRequest } from '@hanggent/plugin-sdk'
import type { OutgoingRequest } from '../routing/channel-client.ts'
import { GatewayError } from '../errors.ts'

// multipart/form-data in and out without copying file bytes: a parsed file is a view into the request
// body the gateway read once, and the form sent upstream is a stream of small header pieces around those
// same views, with its length known in advance so the upstream gets a Content-Length.
// see https://www.rfc-editor.org/rfc/rfc7578 (multipart/form-data) and RFC 2046 §5.1.1 (boundaries)

/** A parsed multipart form: text fields by name (a repeated name, or one ending in `[]`, as an array) and the files. */
export interface ParsedForm {
  fields: Record<string, string | string[]>
  files: FormFile[]
}

const utf8 = new TextDecoder()
const encoder = new TextEncoder()

/** The boundary of a multipart/form-data Content-Type, or a 400 saying the body must be a multipart form. */
export function multipartBoundary(contentType: string | null): string {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '')
  const boundary = match?.[1] ?? match?.[2]
  if (type !== 'multipart/form-data' || !boundary)
    throw new GatewayError(
      400,
      'invalid_request',
      `This endpoint takes a multipart/form-data body (Content-Type: multipart/form-data; boundary=…), not "${contentType ?? 'none'}"`,
    )
  return boundary
}

/** Parses a multipart/form-data body; file bytes are subarrays of `body`, never copies. */
export function parseMultipartForm(body: Uint8Array, boundary: string): ParsedForm {
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  const delimiter = Buffer.from(`--${boundary}`)
  const fields: Record<string, string | string[]> = {}
  const files: FormFile[] = []
  let position = buffer.indexOf(delimiter)
  if (position < 0) throw malformed('no part starts with the boundary')
  for (;;) {
    position += delimiter.length
    // `--` after a delimiter closes the form.
    if (buffer[position] === 0x2d && buffer[position + 1] === 0x2d) break
    const headersStart = skipLineBreak(buffer, position)
    const headersEnd = buffer.indexOf('\r\n\r\n', headersStart)
    if (headersEnd < 0) throw malformed('a part has no header end')
    const next = buffer.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd + 4)
    if (next < 0) throw malformed('the closing boundary is missing')
    const part = readPartHeaders(utf8.decode(buffer.subarray(headersStart, headersEnd)))
    const content = body.subarray(headersEnd + 4, next)
    if (part.filename !== undefined)
      files.push({ field: part.name, filename: part.filename, contentType: part.contentType ?? 'application/octet-stream', bytes: content })
    else addField(fields, part.name, utf8.decode(content))
    position = next + 2
  }
  return { fields, files }
}

function skipLineBreak(buffer: Buffer, position: number): number {
  let at = position
  while (buffer[at] === 0x20 || buffer[at] === 0x09) at++
  if (buffer[at] === 0x0d && buffer[at + 1] === 0x0a) return at + 2
  throw malformed('a boundary is not followed by a line break')
}

/** A repeated name, or one ending in `[]` (`timestamp_granularities[]`), collects its values in an array. */
function addField(fields: Record<string, string | string[]>, name: string, value: string): void {
  const existing = fields[name]
  if (existing === undefined) fields[name] = name.endsWith('[]') ? [value] : value
  else fields[name] = Array.isArray(existing) ? [...existing, value] : [existing, value]
}

/** The name, file name and type of one part, from its Content-Disposition and Content-Type headers. */
function readPartHeaders(text: string): { name: string; filename?: string; contentType?: string } {
  let name: string | undefined
  let filename: string | undefined
  let contentType: string | undefined
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const header = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (header === 'content-type') contentType = value
    if (header !== 'content-disposition') continue
    name = dispositionParameter(value, 'name')
    filename = dispositionParameter(value, 'filename')
  }
  if (name === undefined) throw malformed('a part has no Content-Disposition name')
  return { name, filename, contentType }
}

function dispositionParameter(value: string, parameter: string): string | undefined {
  const match = new RegExp(`;\\s*${parameter}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${parameter}=([^;\\s]+)`, 'i').exec(value)
  if (!match) return undefined
  return match[1] === undefined ? match[2] : match[1].replace(/\\(.)/g, '$1')
}

function malformed(why: string): GatewayError {
  return new GatewayError(400, 'invalid_request', `The multipart/form-data body is malformed: ${why}`)
}

/** A form ready to send: its Content-Type, exact byte length, and a stream of its pieces (file bytes are the parsed views). */
export interface OutgoingForm {
  contentType: string
  length: number
  stream(): ReadableStream<Uint8Array>
}

/** Encodes text fields then files as multipart/form-data, holding only the small header pieces besides the file views. */
export function encodeMultipartForm(fields: Record<string, unknown>, files: readonly FormFile[], boundary: string): OutgoingForm {
  const pieces: Uint8Array[] = []
  const header = (text: string) => pieces.push(encoder.encode(text))
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue
    for (const item of Array.isArray(value) ? value : [value])
      header(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${typeof item === 'string' ? item : JSON.stringify(item)}\r\n`)
  }
  for (const file of files) {
    header(
      `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(file.field)}"; filename="${quoted(file.filename || 'file')}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
    )
    pieces.push(file.bytes)
    header('\r\n')
  }
  header(`--${boundary}--\r\n`)
  const length = pieces.reduce((sum, piece) => sum + piece.byteLength, 0)
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    stream() {
      let index = 0
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          const piece = pieces[index++]
          if (piece) controller.enqueue(piece)
          else controller.close()
        },
      })
    },
  }
}

/** A name or file name inside a quoted Content-Disposition parameter: quotes and line breaks escaped as browsers do. */
function quoted(text: string): string {
  return text.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/**
 * A transport's request with its body replaced by the form (the prepared body's fields, then the files),
 * streamed with its exact Content-Length; the transport's own Content-Type and Content-Length are dropped.
 */
export function withMultipartBody(request: UpstreamRequest, fields: Record<string, unknown>, files: readonly FormFile[]): OutgoingRequest {
  const form = encodeMultipartForm(fields, files, `----hanggent-${crypto.randomUUID()}`)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) if (!/^content-(type|length)$/i.test(name)) headers[name] = value
  headers['content-type'] = form.contentType
  headers['content-length'] = String(form.length)
  return { ...request, headers, body: form.stream() }
}
