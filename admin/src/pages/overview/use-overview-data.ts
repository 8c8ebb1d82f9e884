import { computed, onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue'
import { api } from '../../api/client.ts'
import { unwrap } from '../../api/errors.ts'
import type { StatsPoint, StatsRange } from './stats-series.ts'

// The overview's data: usage from GET /api/stats (over time, by model, and by user and channel for
// admins or by API key for users), the request rate of the last minute from GET /api/logs, and
// names for the ids the stats group by. A stale answer never overwrites a newer one.

/** How many entries the top-N charts show. */
export const TOP_COUNT = 8

/** Usage over a range, grouped the ways the overview draws it. */
export interface OverviewStats {
  overTime: StatsPoint[]
  byModel: StatsPoint[]
  /** Admins: by user id; users: empty. */
  byUser: StatsPoint[]
  /** Admins: by channel id; users: empty. */
  byChannel: StatsPoint[]
  /** Users: by API key id (`null` for the playground); admins: empty. */
  byToken: StatsPoint[]
}

const EMPTY: OverviewStats = { overTime: [], byModel: [], byUser: [], byChannel: [], byToken: [] }

/** Loads the stats for `range` whenever it changes; admins also get the per-user and per-channel views. */
export function useOverviewStats(range: Ref<StatsRange>, isAdmin: Ref<boolean>) {
  const stats = shallowRef<OverviewStats>(EMPTY)
  const loading = ref(false)
  const loaded = ref(false)
  const error = shallowRef<unknown>()
  let latest = 0

  async function fetchGroup(groupBy: 'none' | 'model' | 'user' | 'channel' | 'token'): Promise<StatsPoint[]> {
    const { from, to, bucket } = range.value
    const result = await unwrap(api.GET('/api/stats', { params: { query: { from: from.toISOString(), to: to.toISOString(), bucket, groupBy } } }))
    return result.items
  }

  async function load(): Promise<void> {
    const call = ++latest
    loading.value = true
    try {
      const admin = isAdmin.value
      const [overTime, byModel, byUser, byChannel, byToken] = await Promise.all([
        fetchGroup('none'),
        fetchGroup('model'),
        admin ? fetchGroup('user') : Promise.resolve([]),
        admin ? fetchGroup('channel') : Promise.resolve([]),
        admin ? Promise.resolve([]) : fetchGroup('token'),
      ])
      if (call !== latest) return
      stats.value = { overTime, byModel, byUser, byChannel, byToken }
      error.value = undefined
      loaded.value = true
    } catch (failure) {
      if (call === latest) error.value = failure
    } finally {
      if (call === latest) loading.value = false
    }
  }

  watch([range, isAdmin], () => void load(), { immediate: true })
  return { stats, loading, loaded, error, reload: load }
}

/** Requests and tokens of the last minute (consume rows), refreshed every `everyMs`. */
export function useLiveRate(everyMs = 30_000) {
  const rpm = ref<number | undefined>()
  const tpm = ref<number | undefined>()
  /** True when more calls happened than one page holds, so tokens per minute is extrapolated. */
  const estimated = ref(false)
  const PAGE = 100

  async function load(): Promise<void> {
    const from = new Date(Date.now() - 60_000).toISOString()
    try {
      const result = await unwrap(api.GET('/api/logs', { params: { query: { type: 'consume', from, page: 1, pageSize: PAGE } } }))
      const total = result.total
      const tokens = result.items.reduce((sum, row) => sum + row.promptTokens + row.completionTokens, 0)
      rpm.value = total
      estimated.value = total > result.items.length
      tpm.value = result.items.length === 0 ? 0 : Math.round((tokens / result.items.length) * total)
    } catch {
      // The live figures are a nicety; the cards show a dash until the next attempt works.
    }
  }

  void load()
  const timer = window.setInterval(() => {
    if (document.visibilityState === 'visible') void load()
  }, everyMs)
  onBeforeUnmount(() => window.clearInterval(timer))
  return { rpm, tpm, estimated, reload: load }
}

type NameKind = 'user' | 'channel' | 'token'

/**
 * Display names for the ids the stats group by (user → username, channel → name, token → key
 * name), looked up once each; an id that cannot be read keeps its number.
 */
export function useEntityNames() {
  const names = ref<Record<string, string>>({})
  const pending = new Set<string>()

  async function lookup(kind: NameKind, id: number): Promise<string | undefined> {
    if (kind === 'user') return (await unwrap(api.GET('/api/users/{id}', { params: { path: { id } } }))).username
    if (kind === 'channel') return (await unwrap(api.GET('/api/channels/{id}', { params: { path: { id } } }))).name
    return (await unwrap(api.GET('/api/tokens/{id}', { params: { path: { id } } }))).name
  }

  /** Starts looking up names not known yet. */
  function request(kind: NameKind, ids: readonly string[]): void {
    for (const raw of ids) {
      const id = Number(raw)
      const cacheKey = `${kind}:${raw}`
      if (!Number.isInteger(id) || id <= 0 || cacheKey in names.value || pending.has(cacheKey)) continue
      pending.add(cacheKey)
      lookup(kind, id)
        .then((name) => {
          if (name) names.value = { ...names.value, [cacheKey]: name }
        })
        .catch(() => undefined)
        .finally(() => pending.delete(cacheKey))
    }
  }

  /** The known name of an id, or undefined. */
  function nameOf(kind: NameKind, id: string): string | undefined {
    return names.value[`${kind}:${id}`]
  }

  return { request, nameOf, names: computed(() => names.value) }
}
