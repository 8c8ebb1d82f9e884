import { describe, expect, test } from 'bun:test'
import { GatewayError } from '../errors.ts'
import { encodeMultipartForm, multipartBoundary, parseMultipartForm } from './multipart-form.ts'

// The multipart parser reads what real clients send (a FormData serialised by the platform), keeps file
// bytes as views of the body, and its encoder writes a form the platform parses back to the same parts.

/** A FormData as it goes over the wire: its bytes and Content-Type. */
async function wire(form: FormData): Promise<{ bytes: Uint8Array; contentType: string }> {
  const response = new Response(form)
  const contentType = response.headers.get('content-type') ?? ''
  return { bytes: new Uint8Array(await response.arrayBuffer()), contentType }
}

describe('parseMultipartForm', () => {
  test('fields, repeated and [] fields as arrays, files as views of the body', async () => {
    const form = new FormData()
    form.append('model', 'whisper-1')
    form.append('timestamp_granularities[]', 'word')
    form.append('timestamp_granularities[]', 'segment')
    form.append('prompt', 'ünïcödé "quoted"')
    form.append('file', new Blob([new Uint8Array([0, 1, 2, 13, 10, 45, 45, 255])], { type: 'audio/wav' }), 'a "b".wav')
    const { bytes, contentType } = await wire(form)
    const parsed = parseMultipartForm(bytes, multipartBoundary(contentType))
    expect(parsed.fields).toEqual({ model: 'whisper-1', 'timestamp_granularities[]': ['word', 'segment'], prompt: 'ünïcödé "quoted"' })
    expect(parsed.files).toHaveLength(1)
    const [file] = parsed.files
    expect(file).toMatchObject({ field: 'file', contentType: 'audio/wav' })
    expect([...file!.bytes]).toEqual([0, 1, 2, 13, 10, 45, 45, 255])
    // Not a copy: the file is a window on the body.
    expect(file!.bytes.buffer).toBe(bytes.buffer)
  })

  test('what the encoder writes, the platform reads back', async () => {
    const audio = new Uint8Array(70_000).map((_, index) => index % 251)
    const encoded = encodeMultipartForm(
      { model: 'whisper-1', 'include[]': ['logprobs', 'x'], skipped: undefined },
      [{ field: 'file', filename: 'clip.mp3', contentType: 'audio/mpeg', bytes: audio }],
      'test-boundary',
    )
    const body = new Uint8Array(await new Response(encoded.stream()).arrayBuffer())
    expect(body.byteLength).toBe(encoded.length)
    const form = await new Response(body, { headers: { 'content-type': encoded.contentType } }).formData()
    expect(form.get('model')).toBe('whisper-1')
    expect(form.getAll('include[]')).toEqual(['logprobs', 'x'])
    expect(form.has('skipped')).toBe(false)
    const file = form.get('file') as File
    expect(file.name).toBe('clip.mp3')
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(audio)
  })

  test('a body that is not a multipart form, or a broken one, is a 400', () => {
    expect(() => multipartBoundary('application/json')).toThrow(GatewayError)
    expect(() => multipartBoundary('multipart/form-data')).toThrow(/boundary/)
    const broken = new TextEncoder().encode('--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1')
    expect(() => parseMultipartForm(broken, 'b')).toThrow(/closing boundary is missing/)
    expect(() => parseMultipartForm(new TextEncoder().encode('no parts here'), 'b')).toThrow(/no part starts with the boundary/)
  })
})
