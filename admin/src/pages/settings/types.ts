import type { RequestOf, ResponseOf } from '../../api/types.ts'

/** The system options (`GET /api/options`). */
export type Options = ResponseOf<'getOptions'>
/** A partial update of the options (`PATCH /api/options`): groups merge field by field. */
export type OptionsPatch = RequestOf<'updateOptions'>
/** Sign-in providers and registration (`GET /api/auth/settings`); secrets only as "set". */
export type SignInSettings = ResponseOf<'getSignInSettings'>
/** A partial update of the sign-in settings; a section without its secret keeps the stored one. */
export type SignInPatch = RequestOf<'updateSignInSettings'>
/** One row of the model catalogue (`GET /api/models`). */
export type ModelRow = ResponseOf<'listModels'>['items'][number]
/** A price in USD as the catalogue shows it (null: not set). */
export type UsdPrice = NonNullable<ModelRow['price']>
/** A price in New API's ratio form. */
export type RatioPrice = NonNullable<ModelRow['ratioOverride']>
/** One user group with its ratio and usage (`GET /api/groups`). */
export type Group = ResponseOf<'listGroups'>[number]

/** The sign-in providers the gateway knows, in the order the settings list them. */
export type ProviderId = 'github' | 'discord' | 'linuxdo' | 'oidc' | 'telegram'

/** New API's model ratio 1 is 2 USD per 1M input tokens (0.002 USD per 1K). */
export const USD_PER_MODEL_RATIO = 2
