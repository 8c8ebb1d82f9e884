import type { RequestOf, ResponseOf } from '../../api/types.ts'

/** An API key as the list shows it (never the key itself). */
export type Token = ResponseOf<'listTokens'>['items'][number]
/** POST /api/tokens body. */
export type TokenCreateBody = RequestOf<'createToken'>
/** A group the signed-in user may put on a key. */
export type GroupChoice = ResponseOf<'listOwnGroups'>[number]
