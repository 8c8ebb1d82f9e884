import { Type, type Static } from '@sinclair/typebox'

// see https://platform.openai.com/docs/api-reference/audio/createSpeech
// see https://platform.openai.com/docs/api-reference/audio/createTranscription
// see https://platform.openai.com/docs/api-reference/audio/createTranslation
// The transcription and translation schemas describe the text fields of a multipart form: every value
// arrives as a string (a repeated or `[]` field as an array of strings); the `file` part is a file, checked apart.
// Unknown fields are refused, so a misspelt field name gets a 400 naming it instead of being ignored.

/** The formats speech audio can be asked in. */
export const OpenAISpeechFormat = Type.Union(['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'].map((format) => Type.Literal(format)))

/** POST /v1/audio/speech request body (JSON). */
export const OpenAISpeechRequest = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    input: Type.String({ minLength: 1, maxLength: 4096, description: 'The text to speak, at most 4096 characters' }),
    voice: Type.Union([Type.String({ minLength: 1 }), Type.Object({ id: Type.String({ minLength: 1 }) })]),
    instructions: Type.Optional(Type.String({ maxLength: 4096 })),
    response_format: Type.Optional(OpenAISpeechFormat),
    speed: Type.Optional(Type.Number({ minimum: 0.25, maximum: 4 })),
    stream_format: Type.Optional(Type.Union([Type.Literal('sse'), Type.Literal('audio')])),
  },
  { additionalProperties: false },
)

/** The typed speech request. */
export type OpenAISpeechRequest = Static<typeof OpenAISpeechRequest>

/** The formats a transcript or translation can be answered in. */
export const OpenAITranscriptFormat = Type.Union(['json', 'text', 'srt', 'verbose_json', 'vtt'].map((format) => Type.Literal(format)))

/** A number sent as a form field's text, e.g. `0.2`. */
const FormNumber = Type.String({ pattern: '^\\s*-?(\\d+\\.?\\d*|\\.\\d+)\\s*$' })

/** A boolean sent as a form field's text. */
const FormBoolean = Type.Union([Type.Literal('true'), Type.Literal('false')])

/** The text fields of a POST /v1/audio/transcriptions form. */
export const OpenAITranscriptionFields = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    language: Type.Optional(Type.String({ minLength: 1 })),
    prompt: Type.Optional(Type.String()),
    response_format: Type.Optional(OpenAITranscriptFormat),
    temperature: Type.Optional(FormNumber),
    'timestamp_granularities[]': Type.Optional(Type.Array(Type.Union([Type.Literal('word'), Type.Literal('segment')]))),
    'include[]': Type.Optional(Type.Array(Type.String())),
    chunking_strategy: Type.Optional(Type.String()),
    stream: Type.Optional(FormBoolean),
  },
  { additionalProperties: false },
)

/** The typed transcription fields. */
export type OpenAITranscriptionFields = Static<typeof OpenAITranscriptionFields>

/** The text fields of a POST /v1/audio/translations form (into English). */
export const OpenAITranslationFields = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    prompt: Type.Optional(Type.String()),
    response_format: Type.Optional(OpenAITranscriptFormat),
    temperature: Type.Optional(FormNumber),
  },
  { additionalProperties: false },
)

/** The typed translation fields. */
export type OpenAITranslationFields = Static<typeof OpenAITranslationFields>
