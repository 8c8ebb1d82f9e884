import { randomUUID } from 'node:crypto'
import { createMemorySessionCount, type SessionCount } from './realtime-session-count.ts'

// The realtime sessions open in this process (the list shutdown closes), and the per-user count behind the
// concurrent-session limit: this process's own, or shared by every replica through Redis (realtime-session-count.ts).

/** A live session as the registry sees it. */
export interface TrackedSession {
  /** Closes the session with a close frame and settles it; resolves once settled. */
  close(code: number, reason: string): Promise<void>
  /** Resolves once the session has ended and is settled, however it ended. */
  readonly ended: Promise<void>
  /** Bytes the gateway holds unsent for this session, towards its client and its upstream. */
  bufferedBytes(): number
}

/** A place in the per-user count, taken before the upstream is dialled so concurrent connects cannot overshoot. */
export interface SessionSlot {
  /** The session now holds the slot until it ends. */
  attach(session: TrackedSession): void
  /** Gives the slot back (the connect failed before a session existed). */
  release(): void
}

/** The sessions of this process. */
export interface RealtimeSessions {
  /** A slot for one more session of the user, or undefined when `max` (> 0) are open or opening already (on any replica sharing the count). */
  claim(userId: number, max: number): Promise<SessionSlot | undefined>
  /** Open sessions. */
  count(): number
  /** Bytes held unsent across the open sessions: what slow peers cost this process's memory. */
  bufferedBytes(): number
  /**
   * Waits up to `graceMs` for sessions to end on their own, then closes the rest with 1001 and the reason and
   * waits for their settlement. Resolves to the number that had to be closed.
   */
  drain(graceMs: number, reason: string): Promise<number>
  /** Lets go of the shared count (its renewal timer and connection); after drain. */
  close(): Promise<void>
}

/**
 * An empty registry counting sessions in `count` (this process's memory by default). A count that cannot be
 * reached (Redis down) lets the session through and tells `onError`: the limit store's outage is not the gateway's.
 */
export function createRealtimeSessions(count: SessionCount = createMemorySessionCount(), onError: (error: unknown) => void = () => {}): RealtimeSessions {
  const open = new Set<TrackedSession>()
  return {
    async claim(userId, max) {
      const sessionId = randomUUID()
      let counted = true
      try {
        if (!(await count.claim(userId, sessionId, max))) return undefined
      } catch (error) {
        onError(error)
        counted = false
      }
      let done = false
      const give = () => {
        if (done) return
        done = true
        if (counted) void count.release(userId, sessionId).catch(onError)
      }
      return {
        attach(session) {
          open.add(session)
          void session.ended.finally(() => {
            open.delete(session)
            give()
          })
        },
        release: give,
      }
    },
    count: () => open.size,
    bufferedBytes: () => [...open].reduce((sum, session) => sum + session.bufferedBytes(), 0),
    async drain(graceMs, reason) {
      if (open.size === 0) return 0
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([Promise.all([...open].map((session) => session.ended)), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))])
      clearTimeout(timer)
      const left = [...open]
      await Promise.all(left.map((session) => session.close(1001, reason)))
      return left.length
    },
    close: () => count.close(),
  }
}
