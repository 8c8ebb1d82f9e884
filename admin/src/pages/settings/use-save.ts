import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import { useMessage } from 'naive-ui'
import { useFieldErrors, type FieldErrors } from './field-errors.ts'

/** One form's save: busy flag, the last failure (for ErrorState) and its field errors. */
export interface Save {
  busy: Ref<boolean>
  failure: ShallowRef<unknown>
  fields: FieldErrors
  /**
   * Runs the API call; on success shows `done` as a confirmation and returns the answer, on failure
   * keeps the error (shown above the form and, when it names one, under the field) and returns undefined.
   */
  run<T>(action: () => Promise<T>, done?: string, words?: Record<string, string>): Promise<T | undefined>
}

/** A save action for one form of a settings or profile page. */
export function useSave(): Save {
  const message = useMessage()
  const busy = ref(false)
  const failure = shallowRef<unknown>()
  const fields = useFieldErrors()

  async function run<T>(action: () => Promise<T>, done?: string, words?: Record<string, string>): Promise<T | undefined> {
    busy.value = true
    failure.value = undefined
    fields.clear()
    try {
      const result = await action()
      if (done) message.success(done)
      return result
    } catch (error) {
      failure.value = error
      fields.capture(error, words)
      return undefined
    } finally {
      busy.value = false
    }
  }

  return { busy, failure, fields, run }
}
