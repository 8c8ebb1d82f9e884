import { and, eq, sql } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import type { Db } from '../db/client.ts'
import { oauthAccounts, users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import type { ExternalSignInResponse, OAuthAccountView } from '../../schemas/admin/sign-in.ts'
import { adminErrorBody, isUniqueViolation, type AdminErrorBody } from '../http/errors.ts'
import { iso } from '../http/api-base.ts'
import { issueLogin, type IssuedLogin } from './login-session.ts'
import { providerName, type ExternalIdentity } from './oauth-providers.ts'
import { pendingLoginCookie } from './pending-login.ts'
import { providerRegistrationAllowed, type SignInSettings } from './sign-in-settings-store.ts'
import { randomUsername, usernameBase, usernameCandidates } from './username-from-identity.ts'

// What happens once a provider has vouched for an identity, the same for every provider: a linked
// identity signs its user in (or asks for the two-factor code), link mode attaches it to the
// signed-in user, and an unknown identity registers a new user when the settings allow it. An
// identity is never attached to an existing user by a matching email address: addresses at a
// provider are not proof of owning the account here, so linking is always the user's own act.

type UserRow = typeof users.$inferSelect
type AccountRow = typeof oauthAccounts.$inferSelect

/** How a provider sign-in ended. */
export type ExternalSignInOutcome =
  | { kind: 'signed-in'; login: IssuedLogin; account: AccountRow; created: boolean }
  | { kind: 'two-factor'; pendingCookie: string; account: AccountRow }
  | { kind: 'linked'; account: AccountRow }

/** A linked identity as the API shows it. */
export function toOAuthAccountView(row: AccountRow, settings: SignInSettings): OAuthAccountView {
  return {
    id: row.id,
    provider: row.provider as OAuthAccountView['provider'],
    providerName: providerName(row.provider, settings.oidc.displayName),
    subject: row.subject,
    login: row.login,
    email: row.email,
    createdAt: iso(row.createdAt) ?? '',
  }
}

async function findAccount(db: Db, identity: ExternalIdentity): Promise<AccountRow | undefined> {
  const [row] = await db
    .select()
    .from(oauthAccounts)
    .where(and(eq(oauthAccounts.provider, identity.provider), eq(oauthAccounts.subject, identity.subject)))
  return row
}

/** Keeps the stored login and email of a linked identity as the provider last reported them. */
async function refreshAccount(db: Db, account: AccountRow, identity: ExternalIdentity): Promise<AccountRow> {
  if (account.login === identity.login && account.email === identity.email) return account
  const [row] = await db.update(oauthAccounts).set({ login: identity.login, email: identity.email }).where(eq(oauthAccounts.id, account.id)).returning()
  return row ?? account
}

async function loadUser(db: Db, id: number): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id))
  return row
}

/** True when some user already has this username, compared case-insensitively (so "Root" cannot pose as "root"). */
export async function usernameTaken(db: Db, username: string): Promise<boolean> {
  const [row] = await db.select({ id: users.id }).from(users).where(sql`lower(${users.username}) = ${username.toLowerCase()}`).limit(1)
  return row !== undefined
}

/** True when some user already has this email address (case-insensitive). */
export async function emailTaken(db: Db, email: string): Promise<boolean> {
  const [row] = await db.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`).limit(1)
  return row !== undefined
}

async function freeUsername(db: Db, identity: ExternalIdentity): Promise<string> {
  const base = usernameBase(identity.usernameHint, identity.provider, identity.subject)
  for (const candidate of usernameCandidates(base)) if (!(await usernameTaken(db, candidate))) return candidate
  return randomUsername(base)
}

/** Creates a user for an unknown identity, with the identity linked; the email is kept unless another user has it. */
async function registerIdentity(context: AppContext, identity: ExternalIdentity, method: string): Promise<{ user: UserRow; account: AccountRow }> {
  const db = context.database.db
  const email = identity.email && !(await emailTaken(db, identity.email)) ? identity.email : null
  for (let attempt = 0; ; attempt += 1) {
    const username = attempt === 0 ? await freeUsername(db, identity) : randomUsername(usernameBase(identity.usernameHint, identity.provider, identity.subject))
    try {
      const created = await db.transaction(async (tx) => {
        const [user] = await tx
          .insert(users)
          .values({ username, passwordHash: null, displayName: identity.displayName ?? username, email, quota: context.options.get().newUserQuota })
          .returning()
        const [account] = await tx
          .insert(oauthAccounts)
          .values({ userId: user!.id, provider: identity.provider, subject: identity.subject, login: identity.login, email: identity.email })
          .returning()
        return { user: user!, account: account! }
      })
      await context.bus.publish('users')
      context.logWriter.write({
        type: 'manage',
        userId: created.user.id,
        username,
        content: `user ${created.user.id} "${username}" registered through ${method}`,
        details: { provider: identity.provider },
      })
      return created
    } catch (error) {
      // A username taken between the check and the insert: try another. The same identity registering
      // twice at once: the other request won, so the caller retries as an ordinary sign-in.
      if (!isUniqueViolation(error) || attempt >= 2) throw error
      if (await findAccount(db, identity)) throw new GatewayError(409, 'conflict', 'This account was just registered by another request; sign in again')
    }
  }
}

/** Attaches an identity to the signed-in user (link mode). */
async function linkIdentity(context: AppContext, userId: number, identity: ExternalIdentity, method: string): Promise<AccountRow> {
  const db = context.database.db
  const user = await loadUser(db, userId)
  if (!user || user.status !== 'enabled') throw new GatewayError(401, 'unauthorized', 'Sign in again to link an account')
  const existing = await findAccount(db, identity)
  if (existing && existing.userId !== user.id) throw new GatewayError(409, 'identity_taken', `This ${method} account is already linked to another user`)
  if (existing) return refreshAccount(db, existing, identity)
  const [sameProvider] = await db
    .select({ id: oauthAccounts.id })
    .from(oauthAccounts)
    .where(and(eq(oauthAccounts.userId, user.id), eq(oauthAccounts.provider, identity.provider)))
  if (sameProvider) throw new GatewayError(409, 'conflict', `Another ${method} account is linked already; unlink it first`)
  const [account] = await db
    .insert(oauthAccounts)
    .values({ userId: user.id, provider: identity.provider, subject: identity.subject, login: identity.login, email: identity.email })
    .returning()
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw new GatewayError(409, 'identity_taken', `This ${method} account is already linked to another user`)
      throw error
    })
  context.logWriter.write({
    type: 'manage',
    userId: user.id,
    username: user.username,
    content: `${method} account "${identity.login ?? identity.subject}" linked`,
    details: { provider: identity.provider, accountId: account!.id },
  })
  return account!
}

/**
 * Finishes a provider sign-in for a verified identity: links it in link mode, else signs in its user
 * (or, with two-factor sign-in on, hands out a pending-login ticket), registering a new user for an
 * unknown identity when registration through providers is allowed.
 */
export async function completeExternalSignIn(
  context: AppContext,
  settings: SignInSettings,
  identity: ExternalIdentity,
  options: { linkUserId: number | null; clientIp: string | undefined; secure: boolean },
): Promise<ExternalSignInOutcome> {
  const db = context.database.db
  const method = providerName(identity.provider, settings.oidc.displayName)
  if (options.linkUserId !== null) return { kind: 'linked', account: await linkIdentity(context, options.linkUserId, identity, method) }
  const existing = await findAccount(db, identity)
  let created = false
  let user: UserRow | undefined
  let account: AccountRow
  if (existing) {
    account = await refreshAccount(db, existing, identity)
    user = await loadUser(db, existing.userId)
  } else {
    if (!providerRegistrationAllowed(settings)) {
      throw new GatewayError(
        403,
        'registration_closed',
        `No account here is linked to this ${method} account, and registration is closed: sign in another way and link it from your profile`,
      )
    }
    ;({ user, account } = await registerIdentity(context, identity, method))
    created = true
  }
  if (!user) throw new GatewayError(401, 'unauthorized', 'The linked account no longer exists')
  if (user.status !== 'enabled') throw new GatewayError(403, 'user_disabled', 'This account is disabled')
  if (user.totpEnabled) return { kind: 'two-factor', pendingCookie: pendingLoginCookie(context, user.id, method, options.secure), account }
  const login = await issueLogin(context, user, { session: true, secure: options.secure })
  context.logWriter.write({
    type: 'login',
    userId: user.id,
    username: user.username,
    ip: options.clientIp,
    content: `signed in with ${method} (session cookie)`,
    details: { provider: identity.provider },
  })
  return { kind: 'signed-in', login, account, created }
}

/** The JSON answer of a finished provider sign-in, its status and the cookies to set. */
export function outcomeAsJson(
  outcome: ExternalSignInOutcome,
  settings: SignInSettings,
  redirect: string,
): { status: number; body: ExternalSignInResponse | AdminErrorBody; cookies: string[] } {
  const account = toOAuthAccountView(outcome.account, settings)
  if (outcome.kind === 'two-factor') {
    const body = adminErrorBody('totp_required', 'Two-factor sign-in is on: send the code to POST /api/auth/login/two-factor', 'code')
    return { status: 401, body, cookies: [outcome.pendingCookie] }
  }
  if (outcome.kind === 'linked') return { status: 200, body: { outcome: 'linked', created: false, redirect, account }, cookies: [] }
  return {
    status: 200,
    body: { outcome: 'signed-in', created: outcome.created, redirect, account, ...outcome.login.body },
    cookies: outcome.login.cookies ?? [],
  }
}
