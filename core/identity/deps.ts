import type { ApiDeps } from '../http/api-base.ts'
import type { SignInSettingsStore } from './sign-in-settings-store.ts'

/** What every sign-in route module receives: the /api base's needs plus the sign-in settings. */
export interface IdentityDeps extends ApiDeps {
  /** Sign-in providers and registration settings, shared so every module sees one cache. */
  signIn: SignInSettingsStore
}
