import type { Server } from 'bun'

// A fake OpenAI (and Azure OpenAI) audio API on 127.0.0.1: speech answers with audio bytes sent in two
// pieces (the second only once the test releases it, so a test can see the first bytes reach the client
// before the fake has finished), transcriptions and translations parse the multipart form they receive and
// answer in the requested response_format with the content types OpenAI uses.
// see https://platform.openai.com/docs/api-reference/audio/createSpeech (JSON in, audio bytes out)
// see https://platform.openai.com/docs/api-reference/audio/createTranscription (multipart; json, text, srt, verbose_json, vtt)
// see https://platform.openai.com/docs/api-reference/audio/createTranslation
// see https://learn.microsoft.com/azure/ai-services/openai/reference (/openai/deployments/{d}/audio/…?api-version=…, api-key)

/** A file part the fake received. */
export interface ReceivedFile {
  field: string
  filename: string
  type: string
  bytes: Uint8Array
}

/** One request the fake received, with its multipart form or JSON body read. */
export interface ReceivedAudioRequest {
  path: string
  query: string
  headers: Record<string, string>
  /** The JSON body of a speech request. */
  json?: Record<string, unknown>
  /** Text fields of a multipart request, repeated names as several entries. */
  fields: Array<[string, string]>
  files: ReceivedFile[]
}

/** The audio the fake speaks: deterministic bytes a test compares with what the client got. */
export function fakeSpeechBytes(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size)
  for (let index = 0; index < size; index++) bytes[index] = (index * 31 + 7) & 0xff
  return bytes
}

/** Content types of OpenAI's speech formats. */
const SPEECH_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/opus',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
}

/** The transcript every answer carries. */
export const FAKE_TRANSCRIPT = 'The quick brown fox jumps over the lazy dog.'

/** The fake's controls. */
export interface FakeOpenAIAudio {
  url: string
  requests: ReceivedAudioRequest[]
  /** Bytes of each speech answer (default 64 KiB). */
  speechSize: number
  /** Token usage transcription answers report (gpt-4o-transcribe style); undefined reports OpenAI's duration usage. */
  tokenUsage?: { input_tokens: number; output_tokens: number }
  /** Speech answers hold their second piece until this is called (set `holdSpeech` first). */
  releaseSpeech(): void
  /** When true, speech answers wait for releaseSpeech after the first piece. */
  holdSpeech: boolean
  /** Number of speech answers whose body has been completely sent. */
  speechFinished: number
  stop(): void
}

/** Starts the fake on a free port. */
export function startFakeOpenAIAudio(): FakeOpenAIAudio {
  let release: () => void = () => {}
  let released = Promise.resolve()
  const state: FakeOpenAIAudio = {
    url: '',
    requests: [],
    speechSize: 64 * 1024,
    holdSpeech: false,
    speechFinished: 0,
    releaseSpeech: () => release(),
    stop: () => server.stop(true),
  }
  const server: Server<unknown> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      const path = url.pathname
      const headers = Object.fromEntries([...request.headers].map(([name, value]) => [name.toLowerCase(), value]))
      const authorized = headers.authorization === 'Bearer sk-upstream' || headers['api-key'] === 'azure-key'
      if (!authorized)
        return Response.json({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }, { status: 401 })
      if (path.endsWith('/audio/speech')) {
        const json = (await request.json()) as Record<string, unknown>
        state.requests.push({ path, query: url.search, headers, json, fields: [], files: [] })
        if (state.holdSpeech) released = new Promise((resolve) => (release = resolve))
        return speechAnswer(state, json, released)
      }
      if (path.endsWith('/audio/transcriptions') || path.endsWith('/audio/translations')) {
        const form = await request.formData()
        const received: ReceivedAudioRequest = { path, query: url.search, headers, fields: [], files: [] }
        for (const [name, value] of form.entries() as Iterable<[string, string | File]>) {
          if (typeof value === 'string') received.fields.push([name, value])
          else received.files.push({ field: name, filename: value.name, type: value.type, bytes: new Uint8Array(await value.arrayBuffer()) })
        }
        state.requests.push(received)
        if (!received.files.some((file) => file.field === 'file'))
          return Response.json(
            { error: { message: "Missing required parameter: 'file'.", type: 'invalid_request_error', param: 'file', code: null } },
            { status: 400 },
          )
        const format = received.fields.find(([name]) => name === 'response_format')?.[1] ?? 'json'
        return transcriptAnswer(state, format, path.endsWith('/audio/translations') ? 'translate' : 'transcribe')
      }
      return Response.json({ error: { message: `Invalid URL (POST ${path})`, type: 'invalid_request_error' } }, { status: 404 })
    },
  })
  state.url = `http://127.0.0.1:${server.port}`
  return state
}

/** Speech audio in two pieces, the second after `released`. */
function speechAnswer(state: FakeOpenAIAudio, json: Record<string, unknown>, released: Promise<void>): Response {
  const bytes = fakeSpeechBytes(state.speechSize)
  const half = Math.floor(bytes.byteLength / 2)
  const type = SPEECH_TYPES[String(json.response_format ?? 'mp3')] ?? 'audio/mpeg'
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(bytes.subarray(0, half))
      await released
      controller.enqueue(bytes.subarray(half))
      controller.close()
      state.speechFinished += 1
    },
  })
  return new Response(body, { headers: { 'content-type': type } })
}

/** A transcript in one of OpenAI's five response formats, with the content type OpenAI sends for it. */
function transcriptAnswer(state: FakeOpenAIAudio, format: string, task: 'transcribe' | 'translate'): Response {
  const usage = state.tokenUsage
    ? { type: 'tokens', ...state.tokenUsage, total_tokens: state.tokenUsage.input_tokens + state.tokenUsage.output_tokens }
    : { type: 'duration', seconds: 3 }
  switch (format) {
    case 'text':
      return new Response(`${FAKE_TRANSCRIPT}\n`, { headers: { 'content-type': 'text/plain; charset=utf-8' } })
    case 'srt':
      return new Response(`1\n00:00:00,000 --> 00:00:02,500\n${FAKE_TRANSCRIPT}\n\n`, { headers: { 'content-type': 'text/plain; charset=utf-8' } })
    case 'vtt':
      return new Response(`WEBVTT\n\n00:00:00.000 --> 00:00:02.500\n${FAKE_TRANSCRIPT}\n\n`, { headers: { 'content-type': 'text/plain; charset=utf-8' } })
    case 'verbose_json':
      return Response.json({
        task,
        language: 'english',
        duration: 2.5,
        text: FAKE_TRANSCRIPT,
        segments: [
          {
            id: 0,
            seek: 0,
            start: 0,
            end: 2.5,
            text: FAKE_TRANSCRIPT,
            tokens: [50364, 440],
            temperature: 0,
            avg_logprob: -0.2,
            compression_ratio: 1.1,
            no_speech_prob: 0.01,
          },
        ],
        usage,
      })
    case 'json':
      return Response.json({ text: FAKE_TRANSCRIPT, usage })
    default:
      return Response.json(
        {
          error: {
            message: `Invalid value: '${format}'. Supported values are: 'json', 'text', 'srt', 'verbose_json', and 'vtt'.`,
            type: 'invalid_request_error',
            param: 'response_format',
            code: 'invalid_value',
          },
        },
        { status: 400 },
      )
  }
}

/** A PCM WAV file of silence lasting exactly `seconds` (8 kHz mono 16-bit), for duration and billing tests. */
export function silentWav(seconds: number, sampleRate = 8000): Uint8Array<ArrayBuffer> {
  const dataBytes = Math.round(seconds * sampleRate) * 2
  const bytes = new Uint8Array(44 + dataBytes)
  const view = new DataView(bytes.buffer)
  const ascii = (offset: number, text: string) => {
    for (let index = 0; index < text.length; index++) bytes[offset + index] = text.charCodeAt(index)
  }
  ascii(0, 'RIFF')
  view.setUint32(4, 36 + dataBytes, true)
  ascii(8, 'WAVE')
  ascii(12, 'fmt ')
  view.setUint32(16, 16, true) // fmt chunk size
  view.setUint16(20, 1, true) // PCM
  view.setUint16(22, 1, true) // mono
  view.setUint32(24, sampleRate, true)
  view.setUint32(28, sampleRate * 2, true) // byte rate
  view.setUint16(32, 2, true) // block align
  view.setUint16(34, 16, true) // bits per sample
  ascii(36, 'data')
  view.setUint32(40, dataBytes, true)
  return bytes
}
