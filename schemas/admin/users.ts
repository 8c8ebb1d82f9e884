import { t, type Static } from 'elysia'
import { GroupName, Timestamp, Units } from './common.ts'

const Username = t.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' })
const Password = t.String({ minLength: 8, maxLength: 128 })
const Email = t.String({ maxLength: 254, format: 'email' })

/** POST /api/users body. */
export const UserCreate = t.Object({
  username: Username,
  password: Password,
  displayName: t.Optional(t.String({ maxLength: 128 })),
  email: t.Optional(Email),
  role: t.Optional(t.Union([t.Literal('user'), t.Literal('admin')])),
  group: t.Optional(GroupName),
  quota: t.Optional(Units),
}, { additionalProperties: false })

/** PATCH /api/users/:id body; `quota` sets the balance, `quotaDelta` adds to it (negative to take away). */
export const UserUpdate = t.Object({
  displayName: t.Optional(t.String({ maxLength: 128 })),
  email: t.Optional(t.Union([Email, t.Null()])),
  group: t.Optional(GroupName),
  status: t.Optional(t.Union([t.Literal('enabled'), t.Literal('disabled')])),
  role: t.Optional(t.Union([t.Literal('user'), t.Literal('admin')])),
  password: t.Optional(Password),
  quota: t.Optional(Units),
  quotaDelta: t.Optional(t.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER })),
  reason: t.Optional(t.String({ maxLength: 500 })),
}, { additionalProperties: false, minProperties: 1 })

/** A user as the admin API shows it (never the password hash). */
export const UserView = t.Object({
  id: t.Integer(),
  username: t.String(),
  displayName: t.String(),
  email: t.Union([t.String(), t.Null()]),
  role: t.String(),
  group: t.String(),
  quota: Units,
  usedQuota: Units,
  requestCount: t.Integer(),
  status: t.String(),
  createdAt: Timestamp,
})

/** GET /api/users query. */
export const UserListQuery = t.Object({
  page: t.Optional(t.Numeric({ minimum: 1 })),
  pageSize: t.Optional(t.Numeric({ minimum: 1, maximum: 100 })),
  q: t.Optional(t.String({ maxLength: 64 })),
  role: t.Optional(t.Union([t.Literal('user'), t.Literal('admin'), t.Literal('root')])),
  status: t.Optional(t.Union([t.Literal('enabled'), t.Literal('disabled')])),
  group: t.Optional(GroupName),
}, { additionalProperties: false })

/** Typed forms. */
export type UserCreate = Static<typeof UserCreate>
export type UserUpdate = Static<typeof UserUpdate>
export type UserView = Static<typeof UserView>
