import { Value } from '@sinclair/typebox/value'
import type { TSchema } from '@sinclair/typebox'
import { GatewayError, isRecord, type TaskUploadFile } from '@hanggent/plugin-sdk'
import { OpenAIVideoCreateRequest, VideoGenerationRequest, VIDEO_MAX_SECONDS, VIDEO_REFERENCE_MAX_BYTES } from '../../schemas/video.ts'
import type { VideoRequest } from './video-upstream.ts'

// Reading both client route families into a VideoRequest: OpenAI's `POST /v1/videos` (JSON, or multipart
// with an `input_reference` file) and New API's `POST /v1/video/generations` (TaskSubmitReq: duration or
// seconds, width/height or size, image or images, metadata).
// see https://platform.openai.com/docs/api-reference/videos/create and New API dto TaskSubmitReq / docs/openapi/relay.json

/** The first schema error as a 400 naming the field. */
function checkBody(schema: TSchema, body: Record<string, unknown>): void {
  const first = Value.Errors(schema, body).First()
  if (!first) return
  const field = first.path.replace(/^\//, '').replaceAll('/', '.') || 'body'
  const missing = first.value === undefined
  throw new GatewayError(400, missing ? 'missing_required_parameter' : 'invalid_request', `${field}: ${first.message}`, { param: field })
}

/** Whole seconds from a number or a numeric string; 400 naming the field when out of 1..VIDEO_MAX_SECONDS. */
function readSeconds(value: unknown, field: string): number | undefined {
  if (value === undefined || value === '') return undefined
  const seconds = typeof value === 'number' ? value : Number(value)
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > VIDEO_MAX_SECONDS)
    throw new GatewayError(400, 'invalid_request', `${field} must be a whole number of seconds from 1 to ${VIDEO_MAX_SECONDS}`, { param: field })
  return seconds
}

const tooLarge = (field: string) =>
  new GatewayError(413, 'request_too_large', `${field} is larger than ${VIDEO_REFERENCE_MAX_BYTES / 1024 / 1024} MiB`, { param: field })

/** Bytes a base64 data URL decodes to (without decoding it). */
function dataUrlBytes(url: string): number {
  const comma = url.indexOf(',')
  const payload = comma < 0 ? '' : url.slice(comma + 1)
  return Math.floor((payload.length * 3) / 4) - (payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0)
}

/** A reference image as a URL or data URL, size-checked; 400 for a malformed one. */
function readImage(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined
  if (isUpload(value)) {
    if (value.bytes.byteLength > VIDEO_REFERENCE_MAX_BYTES) throw tooLarge(field)
    if (!/^image\/(png|jpeg|webp)$/.test(value.type))
      throw new GatewayError(400, 'invalid_request', `${field} must be a PNG, JPEG or WebP image`, { param: field })
    return `data:${value.type};base64,${Buffer.from(value.bytes).toString('base64')}`
  }
  const url = typeof value === 'string' ? value : isRecord(value) && typeof value.image_url === 'string' ? value.image_url : undefined
  if (url === undefined) throw new GatewayError(400, 'invalid_request', `${field} must be an image file, an image URL or a data URL`, { param: field })
  if (url.startsWith('data:')) {
    if (!/^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/]+={0,2}$/.test(url))
      throw new GatewayError(400, 'invalid_request', `${field} is not a base64 PNG, JPEG or WebP data URL`, { param: field })
    if (dataUrlBytes(url) > VIDEO_REFERENCE_MAX_BYTES) throw tooLarge(field)
    return url
  }
  if (!/^https?:\/\/\S+$/.test(url)) throw new GatewayError(400, 'invalid_request', `${field} must be an http(s) URL or a data URL`, { param: field })
  return url
}

/** True for a file the core read from a multipart body. */
function isUpload(value: unknown): value is TaskUploadFile {
  return isRecord(value) && value.bytes instanceof Uint8Array && typeof value.type === 'string'
}

/** `metadata` as an object (New API also takes it as a JSON string), `model` removed so it cannot change what is billed. */
function readMetadata(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined
  let parsed: unknown = value
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value)
    } catch {
      throw new GatewayError(400, 'invalid_request', 'metadata must be a JSON object', { param: 'metadata' })
    }
  }
  if (!isRecord(parsed)) throw new GatewayError(400, 'invalid_request', 'metadata must be a JSON object', { param: 'metadata' })
  const { model: _model, model_name: _modelName, ...rest } = parsed
  return rest
}

/** Drops undefined members so the stored request stays small. */
function compact(request: VideoRequest): VideoRequest {
  return Object.fromEntries(Object.entries(request).filter(([, value]) => value !== undefined)) as unknown as VideoRequest
}

/** `POST /v1/videos`: OpenAI's create body, JSON or multipart (fields arrive as strings, the file as an upload). */
export function readOpenAIVideoCreate(body: Record<string, unknown>): VideoRequest {
  const { input_reference: reference, ...fields } = body
  checkBody(OpenAIVideoCreateRequest, fields)
  return compact({
    model: String(fields.model),
    prompt: String(fields.prompt),
    seconds: readSeconds(fields.seconds, 'seconds'),
    size: typeof fields.size === 'string' ? fields.size : undefined,
    image: readImage(reference, 'input_reference'),
  })
}

/** `POST /v1/video/generations`: New API's unified body. */
export function readVideoGeneration(body: Record<string, unknown>): VideoRequest {
  checkBody(VideoGenerationRequest, body)
  const width = typeof body.width === 'number' ? body.width : undefined
  const height = typeof body.height === 'number' ? body.height : undefined
  if ((width === undefined) !== (height === undefined))
    throw new GatewayError(400, 'invalid_request', 'width and height go together', { param: width === undefined ? 'width' : 'height' })
  const images = Array.isArray(body.images) ? body.images : []
  return compact({
    model: String(body.model),
    prompt: String(body.prompt),
    seconds: readSeconds(body.duration ?? body.seconds, body.duration === undefined ? 'seconds' : 'duration'),
    size: typeof body.size === 'string' ? body.size : width !== undefined ? `${width}x${height}` : undefined,
    mode: typeof body.mode === 'string' ? body.mode : undefined,
    image: readImage(body.image ?? images[0], body.image === undefined ? 'images' : 'image'),
    metadata: readMetadata(body.metadata),
  })
}
