import { randomKey } from '../security/crypto.ts'
import { AccountLedger } from './account-ledger.ts'
import { chargedLog, type AccountKey, type BalanceStore, type CommittedAccount, type JournaledCharge, type StoredBalance } from './balance-store.ts'
import type { ChargeJournal } from './file-journal.ts'

/** The in-process store plus what the batch writer needs to tell it. */
export interface MemoryBalanceStore extends BalanceStore {
  /** A batch of its entries is in the database. */
  committed(accounts: CommittedAccount[], lastPosition: string): void
}

/**
 * Balances in this process (embedded mode and single-process PostgreSQL): holds and charges are
 * plain arithmetic on the event loop, and a charge is durable once its journal write returns.
 * `onJournaled` hands each entry to the batch writer.
 */
export function createMemoryBalanceStore(journal: ChargeJournal, onJournaled: (charge: JournaledCharge) => void): MemoryBalanceStore {
  const ledger = new AccountLedger()
  return {
    async reserve(payer, estimate, floor) {
      const outcome = ledger.reserve(payer, estimate, floor)
      if (outcome.kind !== 'held') return outcome
      return { kind: 'held', reservation: { payer, amount: outcome.amount, id: '' } }
    },
    async settle(reservation, actual, draft) {
      const charged = ledger.settle(reservation.payer, reservation.amount, actual)
      let entry: JournaledCharge
      try {
        entry = await journal.append({ payer: reservation.payer, charged, log: chargedLog(draft.log, charged) })
      } catch (error) {
        ledger.uncharge(reservation.payer, charged)
        throw error
      }
      onJournaled(entry)
      return entry
    },
    spendableHint: (payer) => ledger.spendable(payer),
    peek: async (payer) => ledger.spendable(payer),
    async refund(reservation) {
      ledger.refund(reservation.payer, reservation.amount)
    },
    async adopt(balances: Map<AccountKey, StoredBalance>) {
      ledger.adopt(balances)
    },
    committed(accounts, lastPosition) {
      ledger.committed(accounts)
      journal.release(lastPosition)
    },
    async close() {
      await journal.close()
    },
  }
}

/** A hold id for stores that track holds by id. */
export const newHoldId = () => randomKey(16)
