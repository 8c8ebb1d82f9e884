import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'

// What a page loads from the API and shows with its loading, error and empty states: the data, whether a
// load is running, and why the last one failed (kept until a load succeeds, so the error state stays
// up while its retry runs). Data a reload could not fetch stays as it was.

/** Loaded data with its load state. */
export interface Loaded<T> {
  /** The last data loaded, or `initial` before any load succeeded. */
  data: ShallowRef<T>
  /** True while a load runs (and before the first, when asked to start so). */
  loading: Ref<boolean>
  /** Why the last load failed, or undefined when it did not. */
  failure: ShallowRef<unknown>
  /** Loads again (on mount, after a change, from the error state's retry). */
  load(): Promise<void>
}

/** Data fetched by `fetch` each time `load` runs; the caller decides when (on mount, right away). */
export function useLoaded<T>(fetch: () => Promise<T>, initial: T, options: { loadingAtFirst?: boolean } = {}): Loaded<T> {
  const data = shallowRef(initial) as ShallowRef<T>
  const loading = ref(options.loadingAtFirst ?? true)
  const failure = shallowRef<unknown>()
  async function load(): Promise<void> {
    loading.value = true
    try {
      data.value = await fetch()
      failure.value = undefined
    } catch (error) {
      failure.value = error
    } finally {
      loading.value = false
    }
  }
  return { data, loading, failure, load }
}
