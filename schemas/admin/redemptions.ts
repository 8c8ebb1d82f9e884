import { t, type Static } from 'elysia'
import { Name, Pagination, SortParameter, Timestamp, Units } from './common.ts'

const Status = t.Union([t.Literal('unused'), t.Literal('used'), t.Literal('disabled')])

/** POST /api/redemptions body: a batch of codes sharing name, value and expiry. */
export const RedemptionCreate = t.Object(
  {
    name: Name,
    quota: t.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Units each code adds; 500,000 = 1 USD' }),
    count: t.Optional(t.Integer({ minimum: 1, maximum: 1000, description: 'How many codes to create; default 1' })),
    expiresAt: t.Optional(t.Union([t.String({ format: 'date-time' }), t.Null()], { description: 'ISO date-time, or null for never' })),
  },
  { additionalProperties: false },
)

/** A redemption code as the admin API shows it: the code itself only at creation. */
export const RedemptionView = t.Object({
  id: t.Integer(),
  name: t.String(),
  codePreview: t.String(),
  quota: Units,
  status: Status,
  expiresAt: t.Union([Timestamp, t.Null()]),
  createdBy: t.Union([t.Integer(), t.Null()]),
  redeemedBy: t.Union([t.Integer(), t.Null()]),
  redeemedAt: t.Union([Timestamp, t.Null()]),
  createdAt: Timestamp,
})

/** The creation answer: every code of the batch, each shown this once. */
export const RedemptionBatch = t.Object({ items: t.Array(t.Composite([RedemptionView, t.Object({ code: t.String() })])) })

/** PATCH /api/redemptions/:id body. */
export const RedemptionUpdate = t.Object({ status: t.Union([t.Literal('unused'), t.Literal('disabled')]) }, { additionalProperties: false })

/** Fields redemption lists can be sorted by. */
export const REDEMPTION_SORT_FIELDS = ['id', 'name', 'quota', 'status', 'redeemedAt', 'createdAt'] as const

/** GET /api/redemptions query. */
export const RedemptionListQuery = t.Object({
  ...Pagination,
  status: t.Optional(Status),
  q: t.Optional(t.String({ maxLength: 128 })),
  sort: SortParameter(REDEMPTION_SORT_FIELDS),
})

/** POST /api/redemptions/redeem body. */
export const RedeemRequest = t.Object({ code: t.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false })

/** Typed forms. */
export type RedemptionCreate = Static<typeof RedemptionCreate>
/** Typed view. */
export type RedemptionView = Static<typeof RedemptionView>
/** Typed list query. */
export type RedemptionListQuery = Static<typeof RedemptionListQuery>
