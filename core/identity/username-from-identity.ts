import { randomKey } from '../security/crypto.ts'

// A provider account becomes a user with a readable username: the provider's login cleaned up to the
// username rules (3–64 letters, digits, `_`, `.`, `-`), with a numeric suffix when it is taken.

/** Longest base kept, leaving room for a suffix within the 64-character limit. */
const MAX_BASE = 56

function clean(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, MAX_BASE)
    .replace(/[-._]+$/g, '')
}

/** The username a provider login suggests; `<provider>-<id>` when the login has too few usable characters. */
export function usernameBase(hint: string, provider: string, subject: string): string {
  const cleaned = clean(hint)
  return cleaned.length >= 3 ? cleaned : clean(`${provider}-${subject}`)
}

/** Usernames to try in order: the base, then base-2 … base-9. */
export function usernameCandidates(base: string): string[] {
  return [base, ...Array.from({ length: 8 }, (_, index) => `${base}-${index + 2}`)]
}

/** A last-resort username when every candidate is taken: the base with a random suffix. */
export function randomUsername(base: string): string {
  return `${base}-${randomKey(6).toLowerCase()}`
}
