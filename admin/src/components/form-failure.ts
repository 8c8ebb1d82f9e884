import { computed, nextTick, ref, shallowRef, type ComputedRef, type Ref, type ShallowRef } from 'vue'
import { useMessage, type FormInst } from 'naive-ui'
import { useI18n } from 'vue-i18n'
import { describeError, toApiFailure } from '../api/errors.ts'

// The dashboard's one way to show why a form was not saved. The admin API names the field at fault
// (`rateLimits.windowSeconds`, `settings.region`) and says why (`…: Expected integer to be greater or
// equal to 1`): the reason goes under that field, the way naive-ui shows its own rule messages, and
// ErrorState above the form says what happened (with the reason too when no field of the form shows it).

/** What an NFormItem takes to show a reason or a hint (spread it with `v-bind`). */
export interface FieldFeedback {
  validationStatus?: 'error'
  feedback?: string
}

/** How `run` sends a form. */
export interface RunOptions {
  /** The naive-ui form whose own rules must pass before anything is sent. */
  form?: Ref<FormInst | null>
  /** Said in a confirmation message after a success. */
  done?: string
  /** Field → a sentence in the dashboard's language to show instead of the gateway's reason. */
  words?: Record<string, string>
  /** Called with a failure before it is shown (e.g. to ask for a second factor next time). */
  onFailure?: (error: unknown) => void
}

/** One form's sending state and its last failure. */
export interface FormFailure {
  /** True while `run` sends. */
  busy: Ref<boolean>
  /** The last failure of a send (shown with ErrorState above the form); undefined after a success. */
  failure: ShallowRef<unknown>
  /** True when a field of the form shows the failure's reason: ErrorState then says what happened without repeating it. */
  onField: ComputedRef<boolean>
  /** Props for the NFormItem of `path` (`models` also matches `models.0`): the reason at fault there, else `hint`. */
  on(path: string, hint?: string): FieldFeedback
  /** A check made before sending failed: `reason` shows under `field`, and nothing is sent. */
  reject(field: string, reason: string): void
  /** Forgets the failure (when the form opens again). */
  clear(): void
  /**
   * Sends the form: nothing while the naive-ui form's rules fail; `busy` while `send` runs; a success
   * confirmed with `done` and its answer returned; a failure shown on its field (or above the form),
   * brought into view, and undefined returned.
   */
  run<T>(send: () => Promise<T>, options?: RunOptions): Promise<T | undefined>
}

/** The gateway's reason without the `field: ` it starts with. */
export function reasonOf(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message
}

/** True when the failure's field is `path` or a part inside it (`models` holds `models.0`). */
export function fieldMatches(path: string, field: string | undefined): boolean {
  return field !== undefined && (field === path || field.startsWith(`${path}.`))
}

/** Scrolls the first field reason (or the message above the form) into view and focuses its input. */
function bringIntoView(): void {
  const feedback =
    document.querySelector('.n-form-item-feedback--error') ?? document.querySelector('.n-modal .error-state, .n-drawer .error-state, .error-state')
  if (!feedback) return
  feedback.scrollIntoView({ block: 'center' })
  const input = feedback.closest('.n-form-item')?.querySelector<HTMLElement>('input, textarea')
  input?.focus({ preventScroll: true })
}

/** The sending state and field reasons of one form (see FormFailure). */
export function useFormFailure(): FormFailure {
  const { t, te } = useI18n()
  const message = useMessage()
  const busy = ref(false)
  const failure = shallowRef<unknown>()
  const rejected = shallowRef<{ field: string; reason: string }>()
  const words = shallowRef<Record<string, string>>({})
  // The paths the template asks about: a failure on one of them is shown on its field.
  const shownPaths = new Set<string>()

  const failedField = computed(() => (failure.value === undefined ? undefined : toApiFailure(failure.value).field))
  const onField = computed(() => [...shownPaths].some((path) => fieldMatches(path, failedField.value)))

  function reasonFor(field: string): string {
    if (words.value[field] !== undefined) return words.value[field]
    const readable = describeError(failure.value, { t, te })
    return reasonOf(readable.detail ?? toApiFailure(failure.value).message ?? readable.message, field)
  }

  function on(path: string, hint?: string): FieldFeedback {
    shownPaths.add(path)
    if (rejected.value && fieldMatches(path, rejected.value.field)) return { validationStatus: 'error', feedback: rejected.value.reason }
    const field = failedField.value
    if (field !== undefined && fieldMatches(path, field)) return { validationStatus: 'error', feedback: reasonFor(field) }
    return hint === undefined ? {} : { feedback: hint }
  }

  function clear(): void {
    failure.value = undefined
    rejected.value = undefined
    words.value = {}
  }

  function reject(field: string, reason: string): void {
    clear()
    rejected.value = { field, reason }
    void nextTick(bringIntoView)
  }

  async function run<T>(send: () => Promise<T>, options: RunOptions = {}): Promise<T | undefined> {
    if (options.form) {
      try {
        await options.form.value?.validate()
      } catch {
        return undefined
      }
    }
    busy.value = true
    clear()
    try {
      const result = await send()
      if (options.done) message.success(options.done)
      return result
    } catch (error) {
      options.onFailure?.(error)
      words.value = options.words ?? {}
      failure.value = error
      void nextTick(bringIntoView)
      return undefined
    } finally {
      busy.value = false
    }
  }

  return { busy, failure, onField, on, reject, clear, run }
}
