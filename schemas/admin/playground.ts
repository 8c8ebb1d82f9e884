import { t, type Static } from 'elysia'

/** A non-streamed answer of POST /api/playground/chat/completions: OpenAI's chat completion object, as /v1/chat/completions returns it. */
export const PlaygroundCompletion = t.Object(
  {
    id: t.String(),
    object: t.String({ description: '`chat.completion`' }),
    created: t.Integer(),
    model: t.String(),
    choices: t.Array(t.Record(t.String(), t.Unknown())),
    usage: t.Optional(t.Union([t.Record(t.String(), t.Unknown()), t.Null()])),
  },
  { additionalProperties: true },
)

/** The streamed answer: server-sent events exactly as /v1/chat/completions sends them. */
export const PlaygroundEvents = t.String({
  description: 'Server-sent events (`data: {chunk}` … `data: [DONE]`), byte for byte what POST /v1/chat/completions streams',
})

/** GET /api/playground/models answer. */
export const PlaygroundModels = t.Object({
  group: t.String({ description: "The group the calls are routed and priced in: the signed-in user's" }),
  items: t.Array(t.String(), { description: 'Models an enabled channel serves to that group and that have a price (or self-use mode is on), sorted' }),
})

/** Typed model list. */
export type PlaygroundModels = Static<typeof PlaygroundModels>
