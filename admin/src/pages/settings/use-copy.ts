import { useI18n } from 'vue-i18n'
import { useMessage } from 'naive-ui'

/** Copies text to the clipboard and says whether it worked ("Copied" or how to copy by hand). */
export function useCopy(): (text: string) => Promise<void> {
  const { t } = useI18n()
  const message = useMessage()
  return async (text: string) => {
    try {
      await navigator.clipboard.writeText(text)
      message.success(t('settings.copied'))
    } catch {
      // No clipboard (an insecure origin, or permission refused): the text stays on screen to copy by hand.
      message.warning(t('settings.copyFailed'))
    }
  }
}
