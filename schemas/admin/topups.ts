import { t, type Static } from 'elysia'
import { IntegerParameter, Pagination, Timestamp, Units } from './common.ts'

// Online top-up (Stripe Checkout, EPay): orders, the options users choose from, and the admin settings.

const Status = t.Union([t.Literal('pending'), t.Literal('paid'), t.Literal('expired'), t.Literal('failed'), t.Literal('refunded')])
const Provider = t.Union([t.Literal('stripe'), t.Literal('epay')])
const Money = t.Number({ minimum: 0, maximum: 1e9, description: 'An amount in currency units (10.5 = ten and a half)' })
const Currency = t.String({ pattern: '^[A-Za-z]{3}$', error: 'must be a 3-letter ISO 4217 code' })

/** How amounts are offered and priced for one provider. */
export const TopupAmountRules = t.Object(
  {
    currency: Currency,
    presets: t.Array(t.Number({ exclusiveMinimum: 0, maximum: 1e9 }), { maxItems: 12, description: 'Amounts offered as buttons, in currency units' }),
    minimum: t.Number({ exclusiveMinimum: 0, maximum: 1e9, description: 'Smallest custom amount, in currency units' }),
    maximum: t.Number({ exclusiveMinimum: 0, maximum: 1e9, description: 'Largest amount, in currency units' }),
    discounts: t.Array(
      t.Object({ minimum: t.Number({ minimum: 0 }), factor: t.Number({ exclusiveMinimum: 0, maximum: 1 }) }, { additionalProperties: false }),
      {
        maxItems: 20,
        description: 'Price factors by amount: the entry with the largest minimum not above the amount applies (0.9 = 10 % off)',
      },
    ),
    quotaPerUnit: t.Integer({ minimum: 1, maximum: 1e12, description: 'Quota units credited per currency unit asked for' }),
  },
  { additionalProperties: false },
)

/** An EPay payment type offered to users. */
export const EpayMethod = t.Object(
  {
    type: t.String({ pattern: '^[a-z0-9_]{1,32}$', error: 'must be 1–32 lower-case letters, digits or _' }),
    name: t.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
)

/** The top-up settings as admins see them: secrets only as "set or not". */
export const TopupSettingsView = t.Object({
  stripe: t.Object({
    enabled: t.Boolean(),
    secretKeySet: t.Boolean(),
    webhookSecretSet: t.Boolean(),
    apiUrl: t.String({ description: 'Stripe API base URL; empty for https://api.stripe.com' }),
    productName: t.String(),
    amounts: TopupAmountRules,
    webhookUrl: t.String({ description: 'Where Stripe must send checkout.session.* and charge.refunded events' }),
  }),
  epay: t.Object({
    enabled: t.Boolean(),
    gatewayUrl: t.String(),
    merchantId: t.String(),
    merchantKeySet: t.Boolean(),
    methods: t.Array(EpayMethod),
    amounts: TopupAmountRules,
    notifyUrl: t.String({ description: 'The notify_url sent with every order' }),
  }),
})

/** PATCH /api/topups/settings body; secrets are write-only (null removes one, a missing one is kept). */
export const TopupSettingsPatch = t.Object(
  {
    stripe: t.Optional(
      t.Object(
        {
          enabled: t.Optional(t.Boolean()),
          secretKey: t.Optional(t.Union([t.String({ pattern: '^(sk|rk)_', error: 'must start with sk_ or rk_' }), t.Null()])),
          webhookSecret: t.Optional(t.Union([t.String({ minLength: 1, maxLength: 256 }), t.Null()])),
          apiUrl: t.Optional(t.Union([t.Literal(''), t.String({ pattern: '^https?://', maxLength: 512 })])),
          productName: t.Optional(t.String({ minLength: 1, maxLength: 128 })),
          amounts: t.Optional(TopupAmountRules),
        },
        { additionalProperties: false },
      ),
    ),
    epay: t.Optional(
      t.Object(
        {
          enabled: t.Optional(t.Boolean()),
          gatewayUrl: t.Optional(t.Union([t.Literal(''), t.String({ pattern: '^https?://', maxLength: 512 })])),
          merchantId: t.Optional(t.String({ maxLength: 64 })),
          merchantKey: t.Optional(t.Union([t.String({ minLength: 1, maxLength: 256 }), t.Null()])),
          methods: t.Optional(t.Array(EpayMethod, { maxItems: 12 })),
          amounts: t.Optional(TopupAmountRules),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

/** One way to pay, as users choose it. */
export const TopupMethodView = t.Object({
  id: t.String({ description: 'What POST /api/topups takes as `method`: `stripe` or an EPay type' }),
  provider: Provider,
  name: t.String(),
  amounts: TopupAmountRules,
})

/** GET /api/topups/options: what the signed-in user may choose from. */
export const TopupOptions = t.Object({ methods: t.Array(TopupMethodView) })

/** POST /api/topups body. */
export const TopupCreate = t.Object(
  {
    method: t.String({ minLength: 1, maxLength: 32, description: '`stripe` or an enabled EPay type (alipay, wxpay, …)' }),
    amount: Money,
  },
  { additionalProperties: false },
)

/** An order as the API shows it. */
export const TopupView = t.Object({
  id: t.Integer(),
  userId: t.Integer(),
  username: t.String(),
  provider: Provider,
  method: t.String(),
  tradeNo: t.String(),
  providerReference: t.Union([t.String(), t.Null()]),
  status: Status,
  amount: t.String({ description: 'Asked amount, decimal text in the currency' }),
  paid: t.String({ description: 'Charged amount after discounts, decimal text' }),
  currency: t.String(),
  quota: Units,
  quotaRefunded: Units,
  createdAt: Timestamp,
  paidAt: t.Union([Timestamp, t.Null()]),
})

/** Where the browser goes to pay: a GET link (Stripe Checkout) or a form to POST (EPay submit.php). */
export const TopupRedirect = t.Object({
  method: t.Union([t.Literal('GET'), t.Literal('POST')]),
  url: t.String(),
  fields: t.Record(t.String(), t.String(), { description: 'Form fields to POST (EPay); empty for a link' }),
})

/** POST /api/topups answer. */
export const TopupCreated = t.Object({ order: TopupView, redirect: TopupRedirect })

/** GET /api/topups query: admins see every order (and may filter by user), users their own. */
export const TopupListQuery = t.Object({
  ...Pagination,
  status: t.Optional(Status),
  provider: t.Optional(Provider),
  userId: t.Optional(IntegerParameter('userId', { minimum: 1, description: "Admins only: one user's orders" })),
  tradeNo: t.Optional(t.String({ maxLength: 64 })),
})

/** Typed settings patch. */
export type TopupSettingsPatch = Static<typeof TopupSettingsPatch>
/** Typed settings view. */
export type TopupSettingsView = Static<typeof TopupSettingsView>
/** Typed order view. */
export type TopupView = Static<typeof TopupView>
/** Typed list query. */
export type TopupListQuery = Static<typeof TopupListQuery>
/** Typed options answer. */
export type TopupOptions = Static<typeof TopupOptions>
/** Typed redirect. */
export type TopupRedirect = Static<typeof TopupRedirect>
