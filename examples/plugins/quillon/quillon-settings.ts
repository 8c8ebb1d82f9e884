import { Type } from '@sinclair/typebox'

/** The settings of a Quillon channel, rendered as the dashboard's channel form. */
export const QuillonSettings = Type.Object(
  {
    project: Type.Optional(
      Type.String({ title: 'Project', description: 'Quillon project the calls are billed to (sent as X-Quillon-Project)', maxLength: 64 }),
    ),
  },
  { additionalProperties: false },
)
