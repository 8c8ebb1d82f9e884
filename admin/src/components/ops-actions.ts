import { useI18n } from 'vue-i18n'
import { useDialog, useMessage } from 'naive-ui'
import { describeError } from '../api/errors.ts'

// Row actions the operations pages (channels, API keys, users, redemption codes) share: a failure as a
// toast in words, and "ask first, then act" for destructive actions.

/** What `useOpsActions` gives a page. */
export interface OpsActions {
  /** Shows an API failure (or a network error) as a toast, in the user's language. */
  toastError(failure: unknown): void
  /** Asks before `run`; a failure of `run` is shown with `toastError`. */
  confirmThen(options: { title: string; content: string; positiveText: string; run: () => Promise<void> }): void
}

/** The shared row actions, bound to the page's message and dialog providers. */
export function useOpsActions(): OpsActions {
  const { t, te } = useI18n()
  const message = useMessage()
  const dialog = useDialog()
  function toastError(failure: unknown): void {
    const readable = describeError(failure, { t, te })
    message.error(readable.detail ? `${readable.message} ${readable.detail}` : readable.message, { duration: 8000 })
  }
  function confirmThen(options: { title: string; content: string; positiveText: string; run: () => Promise<void> }): void {
    dialog.warning({
      title: options.title,
      content: options.content,
      positiveText: options.positiveText,
      negativeText: t('common.actions.cancel'),
      onPositiveClick: async () => {
        try {
          await options.run()
        } catch (failure) {
          toastError(failure)
        }
      },
    })
  }
  return { toastError, confirmThen }
}
