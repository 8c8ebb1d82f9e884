import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import { api } from '../api/client.ts'
import { unwrap } from '../api/errors.ts'
import type { SignInProvider, SiteStatus } from '../api/types.ts'

/** `GET /api/status`, read once per visit: site name, first-run setup, sign-in providers. */
export const useStatusStore = defineStore('status', () => {
  const status = ref<SiteStatus | undefined>()
  const failure = ref<unknown>()
  let loading: Promise<void> | undefined

  /** Loads the status unless it is already loaded; a failure is kept (the gateway may be restarting). */
  function ensureLoaded(): Promise<void> {
    loading ??= unwrap(api.GET('/api/status'))
      .then((value) => {
        status.value = value
        failure.value = undefined
      })
      .catch((error: unknown) => {
        failure.value = error
        loading = undefined
      })
    return loading
  }

  /** Reads the status again (after setup, or after an admin changed the site name). */
  function reload(): Promise<void> {
    loading = undefined
    return ensureLoaded()
  }

  const siteName = computed(() => status.value?.siteName?.trim() || undefined)
  const setupRequired = computed(() => status.value?.setupRequired === true)
  const signInProviders = computed<SignInProvider[]>(() => status.value?.signInProviders ?? [])

  return { status, failure, siteName, setupRequired, signInProviders, ensureLoaded, reload }
})
