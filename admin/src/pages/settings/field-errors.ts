import { ref, type Ref } from 'vue'
import { toApiFailure } from '../../api/errors.ts'

// The admin API names the field at fault (`rateLimits.windowSeconds`, `github.clientId`) and says why
// (`rateLimits.windowSeconds: Expected integer to be greater or equal to 1`). These helpers put that
// reason under the form field it belongs to, the way naive-ui shows its own validation messages.

/** What an NFormItem takes to show a server-side error (spread it with `v-bind`). */
export interface FieldState {
  validationStatus?: 'error'
  feedback?: string
}

/** Server-side errors by field path, for one form. */
export interface FieldErrors {
  /** Field path → the reason to show. */
  errors: Ref<Record<string, string>>
  /**
   * Records the field error of a failure; true when the failure named a field (the caller then need
   * not show it anywhere else). `words` gives a localised sentence for a field instead of the gateway's.
   */
  capture(error: unknown, words?: Record<string, string>): boolean
  /** Forgets every error (before a new attempt). */
  clear(): void
  /**
   * The NFormItem state of a field: its own error or one of a part inside it (`disableOnStatus.2`);
   * without an error, `hint` (a line of help under the field).
   */
  state(path: string, hint?: string): FieldState
}

/** The gateway's reason without the `field: ` it starts with. */
export function reasonOf(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message
}

/** Field errors of one form (see FieldErrors). */
export function useFieldErrors(): FieldErrors {
  const errors = ref<Record<string, string>>({})

  function capture(error: unknown, words: Record<string, string> = {}): boolean {
    const failure = toApiFailure(error)
    if (!failure.field) return false
    errors.value = { ...errors.value, [failure.field]: words[failure.field] ?? reasonOf(failure.message, failure.field) }
    return true
  }

  function clear(): void {
    errors.value = {}
  }

  function state(path: string, hint?: string): FieldState {
    const entry = Object.entries(errors.value).find(([field]) => field === path || field.startsWith(`${path}.`))
    if (entry) return { validationStatus: 'error', feedback: entry[1] }
    return hint === undefined ? {} : { feedback: hint }
  }

  return { errors, capture, clear, state }
}
