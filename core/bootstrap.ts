import { eq } from 'drizzle-orm'
import type { AppContext } from './app-context.ts'
import { users } from './db/schema.ts'
import { randomKey } from './security/crypto.ts'
import { hashPassword } from './security/password.ts'

/** Root's starting balance: 1,000,000 USD in units, so a fresh install can relay before any top-up. */
export const ROOT_INITIAL_QUOTA = 500_000_000_000

/** What start-up found or did about the root user. */
export interface RootBootstrap {
  /** True when this process created root. */
  created: boolean
  /** The password this process generated for root (no ROOT_PASSWORD), to print once. */
  generatedPassword?: string
  /**
   * When root already existed and still carries a generated password that first-run setup has not
   * replaced: the time it was created. Its password was printed by the process that created it
   * (another replica, or an earlier start), so this one says where to look.
   */
  awaitingSetupSince?: Date
}

/**
 * Creates the root user on first boot (idempotent: does nothing when a root exists), with ROOT_PASSWORD
 * or a random 20-character password that is returned so the caller can print it once.
 */
export async function ensureRootUser(context: AppContext): Promise<RootBootstrap> {
  const db = context.database.db
  const existing = await findRoot(context)
  if (existing) return notCreatedHere(existing)
  const generatedPassword = context.config.rootPassword ? undefined : randomKey(20)
  const password = context.config.rootPassword ?? generatedPassword ?? ''
  const inserted = await db
    .insert(users)
    .values({
      username: 'root',
      displayName: 'Root',
      role: 'root',
      group: 'default',
      quota: ROOT_INITIAL_QUOTA,
      passwordHash: await hashPassword(password),
      passwordChangeRequired: generatedPassword !== undefined,
    })
    .onConflictDoNothing()
    .returning({ id: users.id })
  if (inserted.length === 0) {
    // Another replica won the race, or a non-root account already holds the name.
    const root = await findRoot(context)
    if (root) return notCreatedHere(root)
    throw new Error('Cannot create the root user: the username "root" belongs to a non-root account')
  }
  context.logWriter.write({ type: 'system', userId: inserted[0]!.id, username: 'root', content: 'root user created on first boot' })
  return { created: true, generatedPassword }
}

/** The root account's creation time and whether its generated password still waits for first-run setup. */
async function findRoot(context: AppContext): Promise<{ createdAt: Date; passwordChangeRequired: boolean } | undefined> {
  const [root] = await context.database.db
    .select({ createdAt: users.createdAt, passwordChangeRequired: users.passwordChangeRequired })
    .from(users)
    .where(eq(users.role, 'root'))
    .limit(1)
  return root
}

function notCreatedHere(root: { createdAt: Date; passwordChangeRequired: boolean }): RootBootstrap {
  return root.passwordChangeRequired ? { created: false, awaitingSetupSince: root.createdAt } : { created: false }
}

/**
 * The line start-up prints about root, if any: the generated password (shown once), or, on a process
 * that found root created elsewhere and still awaiting setup, where that password went.
 */
export function rootStartupMessage(result: RootBootstrap): string | undefined {
  if (result.generatedPassword) {
    return `First start: created user "root" with password ${result.generatedPassword} (shown once; set ROOT_PASSWORD to choose it). Replace it in the dashboard's first-run setup (POST /api/setup).`
  }
  if (result.awaitingSetupSince) {
    return `Root was created at ${result.awaitingSetupSince.toISOString()} by another gateway process (another replica, or an earlier start) and still awaits first-run setup: its generated password was printed once, in that process's log only (look for 'First start: created user "root"'; with docker compose: docker compose logs | grep 'First start'). Set ROOT_PASSWORD on every replica to choose it instead.`
  }
  return undefined
}
