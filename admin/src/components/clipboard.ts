import { useI18n } from 'vue-i18n'
import { useMessage } from 'naive-ui'

// The dashboard's one way to copy: the Clipboard API, a hidden textarea where it is refused (an
// insecure origin, a denied permission), and a message saying whether it worked.

/** Puts text on the clipboard; false when neither the Clipboard API nor the fallback could. */
async function writeClipboard(text: string): Promise<boolean> {
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

/** A copy action for a component: copies, says "Copied" or how to copy by hand, and resolves to whether it worked. */
export function useCopy(): (text: string) => Promise<boolean> {
  const { t } = useI18n()
  const message = useMessage()
  return async (text: string) => {
    const done = await writeClipboard(text)
    if (done) message.success(t('ops.copied'))
    else message.warning(t('ops.copyFailed'))
    return done
  }
}
