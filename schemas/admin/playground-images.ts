import { t, type Static } from 'elysia'

/** POST /api/playground/images/generations answer: OpenAI's image object, as /v1/images/generations returns it. */
export const PlaygroundImages = t.Object(
  {
    created: t.Integer(),
    data: t.Array(
      t.Object(
        {
          url: t.Optional(t.String()),
          b64_json: t.Optional(t.String()),
          revised_prompt: t.Optional(t.String()),
        },
        { additionalProperties: true },
      ),
    ),
    usage: t.Optional(t.Record(t.String(), t.Unknown())),
  },
  { additionalProperties: true },
)

/** Typed image answer. */
export type PlaygroundImages = Static<typeof PlaygroundImages>
