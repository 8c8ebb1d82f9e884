import { useI18n } from 'vue-i18n'
import { unitsMoney } from '../../api/units.ts'
import type { LogRow } from './log-columns.ts'
import { readLogText } from './log-text.ts'
import { useCopy } from '../../components/clipboard.ts'

// Formatting shared by the logs table and the detail drawer: money, durations, tag colours, copying.

/** naive-ui tag colours per log type: usage green, errors red, money coming back amber. */
export const TYPE_TAG: Record<string, 'default' | 'success' | 'error' | 'warning' | 'info' | 'primary'> = {
  consume: 'success',
  error: 'error',
  refund: 'warning',
  topup: 'primary',
  manage: 'info',
  system: 'default',
  login: 'info',
}

/** Localised formatters of log values. */
export function useLogFormat() {
  const { t, n, d } = useI18n()
  const copyText = useCopy()
  return {
    /** Quota units as USD, at a charge's precision. */
    usd: (units: number) => unitsMoney(n, units, 'cost'),
    /** Milliseconds as seconds ("1.23 s"), or a dash. */
    seconds: (ms: number | null) => (ms === null ? '–' : t('logs.cells.seconds', { value: n(ms / 1000, 'decimal') })),
    integer: (value: number) => n(value, 'integer'),
    time: (iso: string) => d(new Date(iso), 'full'),
    /** The channel a call went through: its name (and id), or only the id when the channel is gone. */
    channel: (row: Pick<LogRow, 'channelId' | 'channelName'>) =>
      row.channelId === null ? '–' : row.channelName ? `${row.channelName} #${row.channelId}` : `#${row.channelId}`,
    /** The row's message: a server-written text in the dashboard's language when it carries a known code, else as stored. */
    content: (row: Pick<LogRow, 'content' | 'type'>) => readLogText(row, { t, money: (units: number) => unitsMoney(n, units, 'balance') }) ?? row.content,
    /** The type's name. */
    typeName: (type: string) =>
      (
        ({
          consume: t('logs.types.consume'),
          error: t('logs.types.error'),
          refund: t('logs.types.refund'),
          topup: t('logs.types.topup'),
          manage: t('logs.types.manage'),
          system: t('logs.types.system'),
          login: t('logs.types.login'),
        }) as Record<string, string>
      )[type] ?? type,
    /** Copies a value and says so. */
    async copy(value: string) {
      await copyText(value)
    },
  }
}
