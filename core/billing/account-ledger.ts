import type { AccountKey, CommittedAccount, Payer, ReserveOutcome, StoredBalance } from './balance-store.ts'
import { payerAccounts } from './balance-store.ts'

// The arithmetic of the in-process balance store, with no I/O: accounts in a Map, holds and charges
// applied synchronously, so concurrent calls in one event loop can never both spend the same unit.

/** One account's cached state; spendable = base − pending − held. */
interface AccountState {
  base: number
  version: number
  pending: number
  held: number
}

/** Synchronous balance bookkeeping for one process. */
export class AccountLedger {
  private readonly accounts = new Map<AccountKey, AccountState>()

  /** Units the account may still spend, or undefined when it is not loaded. */
  available(key: AccountKey): number | undefined {
    const state = this.accounts.get(key)
    return state && state.base - state.pending - state.held
  }

  /** What the payer can spend now, or undefined when an account is not loaded. */
  spendable(payer: Payer): number | undefined {
    const keys = payerAccounts(payer)
    const user = this.available(keys.user)
    if (user === undefined || !keys.token) return user
    const token = this.available(keys.token)
    return token === undefined ? undefined : Math.min(user, token)
  }

  /** Holds up to `estimate` units on the payer's accounts when they can spend at least `floor`. */
  reserve(payer: Payer, estimate: number, floor: number): Exclude<ReserveOutcome, { kind: 'held' }> | { kind: 'held'; amount: number } {
    const keys = payerAccounts(payer)
    const user = this.accounts.get(keys.user)
    const token = keys.token && this.accounts.get(keys.token)
    const missing: AccountKey[] = []
    if (!user) missing.push(keys.user)
    if (keys.token && !token) missing.push(keys.token)
    if (!user || missing.length > 0) return { kind: 'unknown', accounts: missing }
    if (estimate <= 0) return { kind: 'held', amount: 0 }
    const userAvailable = user.base - user.pending - user.held
    const tokenAvailable = token ? token.base - token.pending - token.held : Infinity
    const available = Math.min(userAvailable, tokenAvailable)
    if (available < floor) return { kind: 'refused', available: Math.max(0, available), whose: tokenAvailable < userAvailable ? 'API key' : 'account' }
    const amount = Math.min(estimate, available)
    user.held += amount
    if (token) token.held += amount
    return { kind: 'held', amount }
  }

  /**
   * Releases a hold of `amount` and charges `actual`: the held part always (it was set aside for this
   * call), anything beyond it only as far as the balance goes. Returns the units charged.
   */
  settle(payer: Payer, amount: number, actual: number): number {
    const keys = payerAccounts(payer)
    const user = this.state(keys.user)
    const token = keys.token ? this.state(keys.token) : undefined
    user.held -= amount
    if (token) token.held -= amount
    let charged = actual
    if (actual > amount) {
      // With the hold released, what is spendable includes the held units themselves.
      const available = Math.min(user.base - user.pending - user.held, token ? token.base - token.pending - token.held : Infinity)
      charged = amount + Math.max(0, Math.min(actual - amount, available - amount))
    }
    user.pending += charged
    if (token) token.pending += charged
    return charged
  }

  /** Takes back a charge that could not be journaled: the call is then answered as failed, and costs nothing. */
  uncharge(payer: Payer, charged: number): void {
    const keys = payerAccounts(payer)
    this.state(keys.user).pending -= charged
    if (keys.token) this.state(keys.token).pending -= charged
  }

  /** Returns a hold untouched. */
  refund(payer: Payer, amount: number): void {
    const keys = payerAccounts(payer)
    this.state(keys.user).held -= amount
    if (keys.token) this.state(keys.token).held -= amount
  }

  /** Adopts rows read or written in the database: unknown accounts are loaded, known ones move only to a newer version. */
  adopt(balances: Map<AccountKey, StoredBalance>): void {
    for (const [key, stored] of balances) {
      const state = this.accounts.get(key)
      if (!state) this.accounts.set(key, { base: stored.quota, version: stored.version, pending: 0, held: 0 })
      else if (stored.version > state.version) {
        state.base = stored.quota
        state.version = stored.version
      }
    }
  }

  /** Applies a committed batch: its charges leave `pending` as the rows they lowered replace `base`. */
  committed(accounts: CommittedAccount[]): void {
    for (const account of accounts) {
      const state = this.accounts.get(account.key)
      if (!state) continue
      state.pending -= account.charged
      if (account.stored && account.stored.version > state.version) {
        state.base = account.stored.quota
        state.version = account.stored.version
      }
    }
  }

  /** Forgets accounts with nothing held or pending, so an idle gateway does not keep every payer it ever saw. */
  forgetIdle(keep: (key: AccountKey) => boolean = () => false): number {
    let forgotten = 0
    for (const [key, state] of this.accounts) {
      if (state.held === 0 && state.pending === 0 && !keep(key)) {
        this.accounts.delete(key)
        forgotten += 1
      }
    }
    return forgotten
  }

  /** Number of accounts loaded. */
  get size(): number {
    return this.accounts.size
  }

  private state(key: AccountKey): AccountState {
    let state = this.accounts.get(key)
    // A hold always has its accounts loaded; this only guards against a bug turning into NaN balances.
    if (!state) {
      state = { base: 0, version: -1, pending: 0, held: 0 }
      this.accounts.set(key, state)
    }
    return state
  }
}
