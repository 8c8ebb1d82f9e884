import { t, type Static } from 'elysia'
import { GroupName, Pagination, SortParameter, Timestamp, Units } from './common.ts'

/** A username: 3–64 letters, digits, `_`, `.`, `-`. */
export const Username = t.String({
  minLength: 3,
  maxLength: 64,
  pattern: '^[A-Za-z0-9_.-]+$',
  description: '3–64 characters: letters, digits, `_`, `.`, `-`',
  error: 'must be 3–64 characters: letters, digits, _ . -',
})
/** A password: 8–128 characters. */
export const Password = t.String({ minLength: 8, maxLength: 128 })
/** An email address. */
export const Email = t.String({ maxLength: 254, format: 'email' })
const UserRole = t.Union([t.Literal('user'), t.Literal('admin'), t.Literal('root')])
const UserStatus = t.Union([t.Literal('enabled'), t.Literal('disabled')])
const AssignableRole = t.Union([t.Literal('user'), t.Literal('admin')], { description: 'Only root may grant or revoke admin' })

/** POST /api/users body. */
export const UserCreate = t.Object(
  {
    username: Username,
    password: Password,
    displayName: t.Optional(t.String({ maxLength: 128 })),
    email: t.Optional(Email),
    role: t.Optional(AssignableRole),
    group: t.Optional(GroupName),
    quota: t.Optional(Units),
  },
  { additionalProperties: false },
)

/** PATCH /api/users/:id body; `quota` sets the balance, `quotaDelta` adds to it (negative to take away). */
export const UserUpdate = t.Object(
  {
    displayName: t.Optional(t.String({ maxLength: 128 })),
    email: t.Optional(t.Union([Email, t.Null()])),
    group: t.Optional(GroupName),
    status: t.Optional(UserStatus),
    role: t.Optional(AssignableRole),
    password: t.Optional(Password),
    quota: t.Optional(Units),
    quotaDelta: t.Optional(
      t.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, description: 'Added to the balance; the balance may not go below 0' }),
    ),
    reason: t.Optional(t.String({ maxLength: 500, description: 'Why the quota changed; written to the audit log' })),
  },
  { additionalProperties: false, minProperties: 1 },
)

/** A user as the admin API shows it (never the password hash). */
export const UserView = t.Object({
  id: t.Integer(),
  username: t.String(),
  displayName: t.String(),
  email: t.Union([t.String(), t.Null()]),
  role: UserRole,
  group: t.String(),
  quota: Units,
  usedQuota: Units,
  requestCount: t.Integer(),
  status: UserStatus,
  passwordChangeRequired: t.Boolean({ description: 'The password was set by someone else (first boot, an admin reset); the user should choose a new one' }),
  twoFactorEnabled: t.Boolean({ description: 'Two-factor sign-in is on' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})

/** Fields user lists can be sorted by. */
export const USER_SORT_FIELDS = ['id', 'username', 'quota', 'usedQuota', 'requestCount', 'createdAt'] as const

/** GET /api/users query. */
export const UserListQuery = t.Object({
  ...Pagination,
  q: t.Optional(t.String({ maxLength: 64, description: 'Part of the username or display name' })),
  role: t.Optional(UserRole),
  status: t.Optional(UserStatus),
  group: t.Optional(t.String({ maxLength: 64 })),
  sort: SortParameter(USER_SORT_FIELDS),
})

/** PATCH /api/users/me body: what users may change about themselves. */
export const ProfileUpdate = t.Object(
  {
    displayName: t.Optional(t.String({ maxLength: 128 })),
    email: t.Optional(t.Union([Email, t.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
)

/** POST /api/users/me/password body. */
export const PasswordChange = t.Object(
  {
    currentPassword: t.String({ minLength: 1, maxLength: 128 }),
    newPassword: Password,
  },
  { additionalProperties: false },
)

/** POST /api/users/:id/reset-password answer: the new password, shown this once. */
export const PasswordReset = t.Object({
  password: t.String({ description: 'Give it to the user; they are asked to choose their own at the next sign-in' }),
})

/** POST /api/auth/login body. */
export const LoginRequest = t.Object(
  {
    username: t.String({ minLength: 1, maxLength: 254, description: 'The username, or the email address of the account' }),
    password: t.String({ minLength: 1, maxLength: 128 }),
    code: t.Optional(t.String({ minLength: 6, maxLength: 32, description: 'Authenticator or recovery code, when two-factor sign-in is on' })),
    session: t.Optional(t.Boolean({ description: 'Also set an HttpOnly session cookie (the dashboard); writes with it need the X-CSRF-Token header' })),
  },
  { additionalProperties: false },
)

/** POST /api/auth/login answer: a bearer access token for the admin API. */
export const LoginResponse = t.Object({
  accessToken: t.String({ description: 'Send as `Authorization: Bearer <accessToken>`' }),
  expiresAt: Timestamp,
  user: t.Object({ id: t.Integer(), username: t.String(), role: UserRole, group: t.String() }),
})

/** POST /api/setup body: the first-run form that replaces root's printed password. */
export const SetupRequest = t.Object(
  {
    bootstrapPassword: t.String({ minLength: 1, maxLength: 128, description: 'The password printed once on first start' }),
    username: t.Optional(Username),
    password: Password,
    siteName: t.Optional(t.String({ minLength: 1, maxLength: 64, description: 'Shown in the dashboard header and page titles' })),
    selfUseMode: t.Optional(t.Boolean({ description: 'Serve models without a configured price, charging nothing' })),
  },
  { additionalProperties: false },
)

/** Typed POST /api/auth/login answer. */
export type LoginResponse = Static<typeof LoginResponse>
/** Typed POST /api/setup body. */
export type SetupRequest = Static<typeof SetupRequest>
/** Typed POST /api/users body. */
export type UserCreate = Static<typeof UserCreate>
/** Typed PATCH /api/users/:id body. */
export type UserUpdate = Static<typeof UserUpdate>
/** Typed user view. */
export type UserView = Static<typeof UserView>
/** Typed GET /api/users query. */
export type UserListQuery = Static<typeof UserListQuery>
/** Typed PATCH /api/users/me body. */
export type ProfileUpdate = Static<typeof ProfileUpdate>
/** Typed POST /api/users/me/password body. */
export type PasswordChange = Static<typeof PasswordChange>
