import { eq } from 'drizzle-orm'
import type { AppContext } from './app-context.ts'
import { users } from './db/schema.ts'
import { randomKey } from './security/crypto.ts'
import { hashPassword } from './admin/user-service.ts'

/** Root's starting balance: 1,000,000 USD in units, so a fresh install can relay before any top-up. */
export const ROOT_INITIAL_QUOTA = 500_000_000_000

/**
 * Creates the root user on first boot (idempotent: does nothing when a root exists), with ROOT_PASSWORD
 * or a random 20-character password that is returned so the caller can print it once.
 */
export async function ensureRootUser(context: AppContext): Promise<{ created: boolean; generatedPassword?: string }> {
  const db = context.database.db
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.role, 'root')).limit(1)
  if (existing) return { created: false }
  const generatedPassword = context.config.rootPassword ? undefined : randomKey(20)
  const password = context.config.rootPassword ?? generatedPassword ?? ''
  const inserted = await db.insert(users).values({
    username: 'root', displayName: 'Root', role: 'root', group: 'default', quota: ROOT_INITIAL_QUOTA, passwordHash: await hashPassword(password),
    passwordChangeRequired: generatedPassword !== undefined,
  }).onConflictDoNothing().returning({ id: users.id })
  if (inserted.length === 0) {
    // Another replica won the race, or a non-root account already holds the name.
    const [root] = await db.select({ id: users.id }).from(users).where(eq(users.role, 'root')).limit(1)
    if (root) return { created: false }
    throw new Error('Cannot create the root user: the username "root" belongs to a non-root account')
  }
  context.logWriter.write({ type: 'system', userId: inserted[0]!.id, username: 'root', content: 'root user created on first boot' })
  return { created: true, generatedPassword }
}
