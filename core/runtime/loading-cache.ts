// A cache of answers loaded from the database (who a key belongs to, whether an account is enabled),
// with the three properties its callers need under load and under change:
// - one load per key at a time: a burst of calls with a key not cached yet waits for one query;
// - no answer older than its TTL is used, and one used in the last stretch of its life is reloaded in
//   the background, so a key in steady use never waits for its reload;
// - an invalidation wins over every load already running when it came: such a load's answer goes to
//   the calls that were waiting for it, never into the cache, and no later call joins it.

/** Keyed answers with single-flight loads, a TTL, refresh-ahead and invalidation (see above). */
export interface LoadingCache<V> {
  /** The key's answer: cached when young enough, else from `load` (shared with any load of the key already running). */
  get(key: string, load: (key: string) => Promise<V>): Promise<V>
  /** Forgets every answer, and every load already running. */
  clear(): void
}

/** How long answers live. */
export interface LoadingCacheOptions {
  /** No answer older than this is used (measured from when its load started). */
  ttlMs: number
  /** An answer used at this age or later is reloaded in the background; at most `ttlMs`. */
  refreshAfterMs: number
  /** The cache empties when it would hold more keys than this. */
  maxEntries: number
  /** The clock, in milliseconds. */
  now?: () => number
}

/** Builds an empty cache. */
export function createLoadingCache<V>(options: LoadingCacheOptions): LoadingCache<V> {
  const now = options.now ?? Date.now
  const answers = new Map<string, { value: V; loadedAt: number }>()
  const loading = new Map<string, Promise<V>>()
  let generation = 0

  function reload(key: string, load: (key: string) => Promise<V>): Promise<V> {
    const running = loading.get(key)
    if (running) return running
    const startedIn = generation
    // Aged from when the query was sent: what it reads is at least that recent.
    const startedAt = now()
    const pending = load(key)
      .then((value) => {
        if (generation === startedIn) {
          if (answers.size >= options.maxEntries) answers.clear()
          answers.set(key, { value, loadedAt: startedAt })
        }
        return value
      })
      .finally(() => {
        if (loading.get(key) === pending) loading.delete(key)
      })
    loading.set(key, pending)
    return pending
  }

  return {
    get(key, load) {
      const cached = answers.get(key)
      if (cached) {
        const age = now() - cached.loadedAt
        if (age < options.ttlMs) {
          // A failed background reload changes nothing: the answer is used until its TTL, then a call waits for (and sees) the failure.
          if (age >= options.refreshAfterMs && !loading.has(key)) reload(key, load).catch(() => {})
          return Promise.resolve(cached.value)
        }
      }
      return reload(key, load)
    },
    clear() {
      generation += 1
      answers.clear()
      loading.clear()
    },
  }
}
