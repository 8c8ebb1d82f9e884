import type { Usage } from './hub.ts'
import type { ConversionEnv, Converted, Dialect, EndpointKind } from './contract.ts'

// Dialects whose request is not a JSON body (multipart/form-data file uploads: audio transcriptions,
// image edits) or whose answer is not JSON or SSE (speech audio, srt/vtt/text transcripts). A dialect
// opts in with `DialectCodec.media`; every other member of its codec keeps its meaning, with `body`
// being the form's text fields for a multipart request. Since contract 1.2.

/** One file of a multipart/form-data request; its bytes are a view into the request body the gateway read once, never a copy. */
export interface FormFile {
  /** The form field it came in, e.g. `file`, `image`, `mask`. */
  field: string
  /** The file name the client gave (`filename=` of the part), or '' when it gave none. */
  filename: string
  /** The part's Content-Type, or `application/octet-stream` when the client named none. */
  contentType: string
  /** The file's bytes. */
  bytes: Uint8Array
}

/** What the gateway checks of a file field before the call. */
export interface FormFileRule {
  /** Field name as the client sends it, e.g. `file`, `image[]`. */
  field: string
  /** True when a request without this file is refused (400 naming the field). */
  required: boolean
  /** Most files the field may carry (default 1), counted over the field and its `aliases`. */
  maxCount?: number
  /**
   * What the file must hold. `audio`: the gateway reads its duration from the bytes (never from the client),
   * refusing a file it cannot read or one over the gateway's maximum duration (MAX_AUDIO_SECONDS) with a 400;
   * the duration then reaches `readUsage` as `measured.audioSeconds`. `image`: a PNG, JPEG, WebP or GIF recognised
   * from its first bytes (never from its name or stated type), else a 400. `any`: nothing is checked beyond being non-empty.
   */
  kind: 'audio' | 'image' | 'any'
  /** Largest file accepted, in bytes (a 400 naming the field); the whole body is also held to MAX_REQUEST_BODY_MB. Since 1.2. */
  maxBytes?: number
  /** Other names the same field arrives under (`image[]` for `image`): files sent under them count as this field's and are forwarded under the name they came in. */
  aliases?: string[]
}

/** What the gateway measured of a call before sending it, for billing from the request itself. */
export interface MediaMeasure {
  /** Total seconds of audio in the form's `audio` files, read from the files themselves; absent without such files. */
  audioSeconds?: number
}

/** A finished media answer as the gateway relayed it. */
export interface MediaAnswer {
  /** The upstream's Content-Type, as the client got it. */
  contentType: string
  /** The whole body as text, for `whole` answers; absent for `binary` ones (their bytes went straight to the client). */
  text?: string
}

/**
 * How a media dialect's request arrives and its answer leaves. A multipart request counts toward
 * MAX_REQUEST_BODY_MB like any body; the transport builds the URL and headers as usual, and the gateway
 * then sends the form (the prepared body's text fields, then the files) as multipart/form-data in place
 * of the transport's body and Content-Type, streaming the file bytes without copying them.
 */
export interface MediaSpec {
  /** `multipart`: a multipart/form-data request, whose text fields are the codec's `body` (a repeated name, or one ending in `[]`, as an array of strings). `json`: a JSON body, as other dialects. */
  request: 'json' | 'multipart'
  /** The file fields of a multipart form; a file in any other field, or a required one missing, is refused with a 400 naming the field. */
  files?: FormFileRule[]
  /**
   * `binary`: the upstream's bytes reach the client as they arrive, with the upstream's Content-Type (speech audio).
   * `whole`: the answer is read whole and passed on unchanged with its Content-Type (json, text, srt, vtt transcripts).
   */
  response: 'binary' | 'whole'
  /**
   * The usage to bill once the answer is complete, from the answer, the request body and what the gateway measured;
   * undefined when nothing is known, and the gateway then counts the prompt's tokens (`estimatePrompt`) as for chat.
   */
  readUsage(answer: MediaAnswer, body: Record<string, unknown>, measured: MediaMeasure): Usage | undefined
}

/**
 * How calls in a client media dialect whose request is JSON reach an upstream that speaks another format
 * (OpenAI image generations → Gemini Imagen's `:predict`), declared by the plugin that knows the upstream
 * (PluginDefinition.mediaConversions). The gateway uses it when a channel's transport does not speak the
 * client's dialect but lists `to`; the answer is converted back before the client dialect's `readUsage`
 * bills it. Pure functions. Since contract 1.2.
 */
export interface MediaConversion {
  /** The client dialect converted from, e.g. `openai.images.generations`. */
  from: Dialect
  /** The upstream dialect converted to; a channel type's transport lists it in `nativeDialects`, e.g. `gemini.imagen`. */
  to: Dialect
  /** What the upstream endpoint does, handed to the transport's `buildRequest`. */
  endpoint: EndpointKind
  /** The client's body as the upstream's, for the model named upstream; what cannot be carried over is a warning. */
  encodeRequest(body: Record<string, unknown>, model: string): Converted<Record<string, unknown>>
  /** The upstream's whole answer as the client dialect's answer body, knowing the client's request (the format it asked for). */
  decodeAnswer(text: string, request: Record<string, unknown>, env: ConversionEnv): unknown
  /** The upstream's error message from a non-2xx body, for logs and clear client errors. */
  readUpstreamError(status: number, bodyText: string): { message: string; code?: string }
}
