import { Type, type Static } from '@sinclair/typebox'

// The Suno-API request bodies New API relays on `/suno/submit/{music|lyrics}` and `/suno/fetch`, and
// the task row Suno-API answers `POST /suno/fetch` with.
// see github.com/Suno-API/Suno-API docs/swagger.yaml (SubmitGenSongReq, SubmitGenLyricsReq, FetchReq,
// po.Task) and entity/po/task_data.go (SunoSong, SunoLyrics)

/** Longest prompt the gateway forwards (Suno's custom-mode lyrics limit is a few thousand characters). */
export const SUNO_PROMPT_MAX_LENGTH = 5000

/** Most ids one `POST /suno/fetch` may ask for. */
export const SUNO_FETCH_MAX_IDS = 100

/** POST /suno/submit/music body: custom mode (`prompt` as lyrics, `title`, `tags`) or description mode (`gpt_description_prompt`). */
export const SunoMusicRequest = Type.Object(
  {
    prompt: Type.Optional(Type.String({ maxLength: SUNO_PROMPT_MAX_LENGTH })),
    gpt_description_prompt: Type.Optional(Type.String({ maxLength: SUNO_PROMPT_MAX_LENGTH })),
    mv: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    title: Type.Optional(Type.String({ maxLength: 200 })),
    tags: Type.Optional(Type.String({ maxLength: 1000 })),
    make_instrumental: Type.Optional(Type.Boolean()),
    continue_at: Type.Optional(Type.Number({ minimum: 0 })),
    continue_clip_id: Type.Optional(Type.String({ maxLength: 100 })),
    task_id: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: true },
)

/** The typed music request. */
export type SunoMusicRequest = Static<typeof SunoMusicRequest>

/** POST /suno/submit/lyrics body. */
export const SunoLyricsRequest = Type.Object(
  { prompt: Type.String({ minLength: 1, maxLength: SUNO_PROMPT_MAX_LENGTH, pattern: '\\S' }) },
  { additionalProperties: true },
)

/** The typed lyrics request. */
export type SunoLyricsRequest = Static<typeof SunoLyricsRequest>

/** POST /suno/fetch body: the task ids to read (`action` is accepted and ignored, as New API does). */
export const SunoFetchRequest = Type.Object(
  {
    ids: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: SUNO_FETCH_MAX_IDS }),
    action: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
)

/** The typed fetch request. */
export type SunoFetchRequest = Static<typeof SunoFetchRequest>

/** One clip (song) of a music task, as Suno-API stores it; extra fields are kept. */
export const SunoClip = Type.Object(
  {
    id: Type.String(),
    status: Type.Optional(Type.String()),
    audio_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    video_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    image_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    image_large_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    title: Type.Optional(Type.String()),
    model_name: Type.Optional(Type.String()),
    metadata: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: true },
)

/** The typed clip. */
export type SunoClip = Static<typeof SunoClip>

/** One task row in Suno-API's `POST /suno/fetch` answer. */
export const SunoTaskRow = Type.Object(
  {
    task_id: Type.String(),
    action: Type.Optional(Type.String()),
    status: Type.String(),
    fail_reason: Type.Optional(Type.String()),
    submit_time: Type.Optional(Type.Number()),
    start_time: Type.Optional(Type.Number()),
    finish_time: Type.Optional(Type.Number()),
    data: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true },
)

/** The typed task row. */
export type SunoTaskRow = Static<typeof SunoTaskRow>
