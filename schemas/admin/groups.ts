import { t, type Static } from 'elysia'
import { GroupName } from './common.ts'

/** A group as the admin API shows it: its price ratio, what it is for, and who uses it. */
export const GroupView = t.Object({
  name: t.String(),
  ratio: t.Number({ description: 'Multiplier on every charge of this group; 1 when none is set' }),
  description: t.String(),
  userCount: t.Integer({ description: 'Users in the group' }),
  channelCount: t.Integer({ description: 'Channels serving the group' }),
  tokenCount: t.Integer({ description: "API keys that override their owner's group with this one" }),
})

/** A group a user may put on their API keys, with its ratio. */
export const GroupChoice = t.Object({ name: t.String(), ratio: t.Number(), description: t.String() })

/** A group name in a path. */
export const GroupParams = t.Object({ name: GroupName })

/** PUT /api/groups/:name body: the whole group (a missing description clears it). */
export const GroupPut = t.Object(
  {
    ratio: t.Number({ minimum: 0, maximum: 1000, description: 'Multiplier on every charge; 1 = list price, 0.8 = 20% off' }),
    description: t.Optional(t.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
)

/** Typed group view. */
export type GroupView = Static<typeof GroupView>
/** Typed PUT body. */
export type GroupPut = Static<typeof GroupPut>
