/** Permission for one process to run a named background job for a while. */
export interface LeaseManager {
  /** Tries to take or renew the lease on `name` for `ttlMs`; true while this process holds it. */
  acquire(name: string, ttlMs: number): Promise<boolean>
  /** Gives the lease up (shutdown); does nothing when another holder has it. */
  release(name: string): Promise<void>
  /** Releases every lease this manager still holds and frees its resources. */
  close(): Promise<void>
}
