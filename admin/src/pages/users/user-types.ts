import type { ResponseOf } from '../../api/types.ts'

/** A user as the admin list shows them. */
export type User = ResponseOf<'listUsers'>['items'][number]
