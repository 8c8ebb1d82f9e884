import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import { api } from '../api/client.ts'
import { ApiFailure, unwrap } from '../api/errors.ts'
import type { CurrentUser } from '../api/types.ts'

/** The result of a password sign-in attempt that did not throw. */
export type SignInResult = { kind: 'signed-in' } | { kind: 'code-required' }

/** Who is signed in (`GET /api/users/me` over the session cookie), and signing in and out. */
export const useSessionStore = defineStore('session', () => {
  const user = ref<CurrentUser | null>(null)
  let loading: Promise<void> | undefined

  /** Reads the current user; a 401 means signed out, other failures are thrown to the caller. */
  async function refresh(): Promise<void> {
    try {
      user.value = await unwrap(api.GET('/api/users/me'))
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 401) user.value = null
      else throw error
    }
  }

  /** Loads the current user once per visit (the router guard calls this before every page). */
  function ensureLoaded(): Promise<void> {
    loading ??= refresh().catch((error: unknown) => {
      loading = undefined
      throw error
    })
    return loading
  }

  /** Password sign-in with a session cookie; `code-required` asks the caller for the two-step code. */
  async function signIn(username: string, password: string, code?: string): Promise<SignInResult> {
    try {
      await unwrap(api.POST('/api/auth/login', { body: { username, password, session: true, ...(code ? { code } : {}) } }))
    } catch (error) {
      if (error instanceof ApiFailure && error.code === 'totp_required') return { kind: 'code-required' }
      throw error
    }
    await refresh()
    loading = Promise.resolve()
    return { kind: 'signed-in' }
  }

  /** Ends the session on the server (best effort) and forgets the user. */
  async function signOut(): Promise<void> {
    try {
      await unwrap(api.POST('/api/auth/logout'))
    } catch {
      // Already signed out or the server is gone: the dashboard forgets the session either way.
    }
    forget()
  }

  /** Forgets the user without asking the server (the session is already gone). */
  function forget(): void {
    user.value = null
    loading = Promise.resolve()
  }

  /** Marks the session as established by another route (first-run setup signs the caller in). */
  async function adopt(): Promise<void> {
    await refresh()
    loading = Promise.resolve()
  }

  const signedIn = computed(() => user.value !== null)
  const isAdmin = computed(() => user.value?.role === 'admin' || user.value?.role === 'root')

  return { user, signedIn, isAdmin, ensureLoaded, refresh, signIn, signOut, forget, adopt }
})
