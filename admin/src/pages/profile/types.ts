import type { ResponseOf } from '../../api/types.ts'

/** A sign-in session or a personal access token (`GET /api/users/me/sessions`). */
export type SessionEntry = ResponseOf<'listSessions'>[number]
/** A linked sign-in identity (`GET /api/users/me/oauth-accounts`). */
export type LinkedAccount = ResponseOf<'listMyOAuthAccounts'>[number]

/** Names the gateway gives its own sign-in sessions; every other entry is a personal access token. */
export const SESSION_NAMES = ['session', 'login'] as const

/** True for a sign-in session (cookie or bearer login), false for a personal access token. */
export function isSession(entry: SessionEntry): boolean {
  return (SESSION_NAMES as readonly string[]).includes(entry.name)
}
