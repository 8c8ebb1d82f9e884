import { t, type Static } from 'elysia'
import { ChannelTag, MAX_CHANNEL_TAGS } from './channels.ts'

/** Most channels one batch action may name by id. */
export const MAX_BATCH_IDS = 1000

/** What a batch action does to each selected channel. */
export const BatchAction = t.Union([
  t.Literal('enable'),
  t.Literal('disable'),
  t.Literal('delete'),
  t.Literal('add-tags'),
  t.Literal('remove-tags'),
  t.Literal('set-priority'),
  t.Literal('set-weight'),
])

/** POST /api/channels/batch body: an action and its channels, chosen by `ids` or by `tag` (not both). */
export const ChannelBatch = t.Object(
  {
    action: BatchAction,
    ids: t.Optional(
      t.Array(t.Integer({ minimum: 1, maximum: 2_147_483_647 }), {
        minItems: 1,
        maxItems: MAX_BATCH_IDS,
        description: `Channel ids (at most ${MAX_BATCH_IDS}); every one must exist`,
      }),
    ),
    tag: t.Optional(t.String({ minLength: 1, maxLength: 32, description: 'Every channel carrying this tag' })),
    tags: t.Optional(t.Array(ChannelTag, { minItems: 1, maxItems: MAX_CHANNEL_TAGS, description: 'For add-tags and remove-tags' })),
    priority: t.Optional(t.Integer({ minimum: -1_000_000, maximum: 1_000_000, description: 'For set-priority' })),
    weight: t.Optional(t.Integer({ minimum: 0, maximum: 1_000_000, description: 'For set-weight' })),
  },
  { additionalProperties: false },
)

/** What a batch action changed. */
export const ChannelBatchResult = t.Object({
  affected: t.Integer({ description: 'How many channels the action applied to' }),
  ids: t.Array(t.Integer(), { description: 'Their ids, ascending' }),
})

/** POST /api/channels/upstream-models body: an unsaved channel's connection, for the create form. */
export const UpstreamModelsProbe = t.Object(
  {
    type: t.String({ minLength: 1, maxLength: 64, description: 'A registered channel type id' }),
    baseUrl: t.Optional(t.Union([t.String({ maxLength: 2048, pattern: '^https?://[^\\s/?#]+[^\\s]*$', error: 'must be an http(s) URL' }), t.Null()])),
    key: t.String({ minLength: 1, maxLength: 16_384, description: 'The key (the first line when there are several)' }),
    settings: t.Optional(t.Record(t.String({ maxLength: 128 }), t.Unknown())),
  },
  { additionalProperties: false },
)

/** The models an upstream account offers. */
export const UpstreamModelList = t.Object({ models: t.Array(t.String(), { description: "Model ids as the upstream names them, in the upstream's order" }) })

/** POST /api/channels/:id/keys/reveal body: the caller proves it is still them. */
export const KeyRevealRequest = t.Object(
  {
    password: t.String({ minLength: 1, maxLength: 128, description: 'Your current password' }),
    code: t.Optional(t.String({ minLength: 6, maxLength: 32, description: 'Authenticator or recovery code, when your account has two-factor sign-in' })),
  },
  { additionalProperties: false },
)

/** The keys of a channel, in the clear. */
export const RevealedKeys = t.Object({ id: t.Integer(), keys: t.Array(t.String()) })

/** Typed batch body. */
export type ChannelBatch = Static<typeof ChannelBatch>
/** Typed batch answer. */
export type ChannelBatchResult = Static<typeof ChannelBatchResult>
/** Typed probe body. */
export type UpstreamModelsProbe = Static<typeof UpstreamModelsProbe>
