import type { ResponseOf } from '../../api/types.ts'

/** A redemption code as the list shows it (the code itself only at creation). */
export type Redemption = ResponseOf<'listRedemptions'>['items'][number]
/** The batch a create returns: every code, shown this once. */
export type CreatedBatch = ResponseOf<'createRedemptions'>['items']
