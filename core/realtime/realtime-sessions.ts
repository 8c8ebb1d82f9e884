// The realtime sessions open in this process: the per-user count behind the concurrent-session limit, and
// the list shutdown closes. One process's view: with several replicas the limit applies per replica.

/** A live session as the registry sees it. */
export interface TrackedSession {
  /** Closes the session with a close frame and settles it; resolves once settled. */
  close(code: number, reason: string): Promise<void>
  /** Resolves once the session has ended and is settled, however it ended. */
  readonly ended: Promise<void>
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
  /** A slot for one more session of the user, or undefined when `max` (> 0) are open or opening already. */
  claim(userId: number, max: number): SessionSlot | undefined
  /** Open sessions. */
  count(): number
  /**
   * Waits up to `graceMs` for sessions to end on their own, then closes the rest with 1001 and the reason and
   * waits for their settlement. Resolves to the number that had to be closed.
   */
  drain(graceMs: number, reason: string): Promise<number>
}

/** An empty registry. */
export function createRealtimeSessions(): RealtimeSessions {
  const open = new Set<TrackedSession>()
  const perUser = new Map<number, number>()
  const give = (userId: number) => {
    const left = (perUser.get(userId) ?? 1) - 1
    if (left > 0) perUser.set(userId, left)
    else perUser.delete(userId)
  }
  return {
    claim(userId, max) {
      const taken = perUser.get(userId) ?? 0
      if (max > 0 && taken >= max) return undefined
      perUser.set(userId, taken + 1)
      let done = false
      return {
        attach(session) {
          open.add(session)
          void session.ended.finally(() => {
            open.delete(session)
            if (!done) give(userId)
            done = true
          })
        },
        release() {
          if (!done) give(userId)
          done = true
        },
      }
    },
    count: () => open.size,
    async drain(graceMs, reason) {
      if (open.size === 0) return 0
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([Promise.all([...open].map((session) => session.ended)), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))])
      clearTimeout(timer)
      const left = [...open]
      await Promise.all(left.map((session) => session.close(1001, reason)))
      return left.length
    },
  }
}
