import { ref, shallowRef, watch, type Ref } from 'vue'
import { unwrap } from '../api/errors.ts'

/** A page of results as the admin API returns them (`Page(...)` in schemas/admin/common.ts). */
export interface PageOf<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

/** State and actions of a server-paginated list. */
export interface PagedList<T> {
  items: Ref<T[]>
  total: Ref<number>
  page: Ref<number>
  pageSize: Ref<number>
  loading: Ref<boolean>
  /** The last failure (an ApiFailure), shown with ErrorState; undefined after a success. */
  error: Ref<unknown>
  /** Loads the current page again (after a create or delete). */
  reload(): Promise<void>
}

/**
 * A server-side paginated list: `fetchPage` calls the API with page/pageSize (and any filters it
 * reads); changing page or size reloads, and a stale answer never overwrites a newer one.
 * Pair it with `<DataTable>`; call `reload()` when filters change (reset `page` to 1 first).
 */
export function usePagedList<T>(
  fetchPage: (query: { page: number; pageSize: number }) => Promise<{ data?: PageOf<T>; error?: unknown; response: Response }>,
  options: { pageSize?: number; immediate?: boolean } = {},
): PagedList<T> {
  const items = shallowRef<T[]>([])
  const total = ref(0)
  const page = ref(1)
  const pageSize = ref(options.pageSize ?? 20)
  const loading = ref(false)
  const error = shallowRef<unknown>()
  let latest = 0

  async function reload(): Promise<void> {
    const call = ++latest
    loading.value = true
    try {
      const result = await unwrap(fetchPage({ page: page.value, pageSize: pageSize.value }))
      if (call !== latest) return
      items.value = result.items
      total.value = result.total
      error.value = undefined
    } catch (failure) {
      if (call === latest) error.value = failure
    } finally {
      if (call === latest) loading.value = false
    }
  }

  watch([page, pageSize], () => void reload())
  if (options.immediate !== false) void reload()
  return { items, total, page, pageSize, loading, error, reload }
}
