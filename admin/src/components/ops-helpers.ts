import { computed, nextTick, shallowRef, type ComputedRef, type Ref, type ShallowRef } from 'vue'
import type { FormInst } from 'naive-ui'
import { useI18n } from 'vue-i18n'
import { describeError, toApiFailure } from '../api/errors.ts'

// Helpers the operations pages (channels, API keys, users, redemption codes) share: quota units and
// USD, the API's field errors on form items, copying to the clipboard and saving a text file.

export { UNITS_PER_USD, unitsToUsd, usdToUnits } from '../api/units.ts'

/** What a form item shows for the API's last failure. */
export interface FieldFeedback {
  validationStatus?: 'error'
  feedback?: string
}

/** The last failure of a form's submit, shown on the item it names (`error.field`) or above the form. */
export interface FormFailure {
  failure: ShallowRef<unknown>
  /** Props for an NFormItem whose path is `path` (`models` also matches `models.0`). */
  on(path: string): FieldFeedback
  /** True when the failure names no field the form shows: show it with ErrorState above the form. */
  general: ComputedRef<boolean>
  /** Records a submit's failure and brings the field it names (or the message above the form) into view, focused. */
  show(error: unknown): void
  /**
   * Runs a form's submit: nothing is sent while the form's own rules fail; `busy` is set while `send`
   * runs; a failure is handed to `onFailure` (if given) and then shown on the field it names.
   */
  submit(form: Ref<FormInst | null>, busy: Ref<boolean>, send: () => Promise<void>, onFailure?: (error: unknown) => void): Promise<void>
}

/**
 * Field errors from the API on the form item they concern. `paths` are the form's item paths; the
 * gateway's own words (without its `field: ` prefix) are what the item says.
 */
export function useFormFailure(paths: () => readonly string[]): FormFailure {
  const { t, te } = useI18n()
  const failure = shallowRef<unknown>()
  const field = computed(() => (failure.value === undefined ? undefined : toApiFailure(failure.value).field))
  const matches = (path: string, name: string | undefined) => name !== undefined && (name === path || name.startsWith(`${path}.`))
  function on(path: string): FieldFeedback {
    if (failure.value === undefined || !matches(path, field.value)) return {}
    const readable = describeError(failure.value, { t, te })
    const words = readable.detail ?? toApiFailure(failure.value).message ?? readable.message
    const prefix = `${field.value}: `
    return { validationStatus: 'error', feedback: words.startsWith(prefix) ? words.slice(prefix.length) : words }
  }
  const general = computed(() => failure.value !== undefined && !paths().some((path) => matches(path, field.value)))
  function show(error: unknown): void {
    failure.value = error
    void nextTick(() => {
      const feedback = document.querySelector('.n-form-item-feedback--error') ?? document.querySelector('.n-modal .error-state, .n-drawer .error-state')
      if (!feedback) return
      feedback.scrollIntoView({ block: 'center' })
      const input = feedback.closest('.n-form-item')?.querySelector<HTMLElement>('input, textarea')
      input?.focus({ preventScroll: true })
    })
  }
  async function submit(form: Ref<FormInst | null>, busy: Ref<boolean>, send: () => Promise<void>, onFailure?: (error: unknown) => void): Promise<void> {
    try {
      await form.value?.validate()
    } catch {
      return
    }
    busy.value = true
    failure.value = undefined
    try {
      await send()
    } catch (error) {
      onFailure?.(error)
      show(error)
    } finally {
      busy.value = false
    }
  }
  return { failure, on, general, show, submit }
}

/** Copies text to the clipboard; falls back to a hidden textarea where the Clipboard API is refused. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    const area = document.createElement('textarea')
    area.value = text
    area.setAttribute('readonly', '')
    area.style.position = 'fixed'
    area.style.opacity = '0'
    document.body.appendChild(area)
    area.select()
    const done = document.execCommand('copy')
    area.remove()
    return done
  }
}

/** Offers `text` as a downloaded file (e.g. redemption codes as .txt). */
export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

/** A record as editable rows, and back (rows with an empty key are dropped). */
export function recordToPairs(record: Record<string, string> | null | undefined): Array<{ key: string; value: string }> {
  return Object.entries(record ?? {}).map(([key, value]) => ({ key, value }))
}

/** Rows of a key/value editor as a record; blank keys are left out, keys trimmed. */
export function pairsToRecord(pairs: ReadonlyArray<{ key: string; value: string }>): Record<string, string> {
  const record: Record<string, string> = {}
  for (const pair of pairs) {
    const key = pair.key.trim()
    if (key !== '') record[key] = pair.value.trim()
  }
  return record
}
