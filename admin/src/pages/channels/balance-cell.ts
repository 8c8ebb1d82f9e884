import { h, type VNodeChild } from 'vue'
import { NButton, NSpace, NTag, NText, NTooltip } from 'naive-ui'
import type { Channel } from './channel-types.ts'

// The channel list's balance column: the upstream account's balance in its own currency, how long ago
// it was read, a low-balance tag, the last read's error, and a button to read it again.

/** What the balance cell needs from the page. */
export interface BalanceCellContext {
  t: (key: string, named?: Record<string, unknown>) => string
  /** An amount in a vendor's currency, in the page's language. */
  balance: (amount: number, currency: string) => string
  /** "5 minutes ago" for a timestamp. */
  ago: (iso: string) => string
  /** The full date and time of a timestamp, for tooltips. */
  when: (iso: string) => string
  refreshingBalance: (id: number) => boolean
  onRefreshBalance: (channel: Channel) => void
}

const tip = (trigger: VNodeChild, text: string) => h(NTooltip, null, { trigger: () => trigger, default: () => text })

function refreshButton(channel: Channel, ctx: BalanceCellContext): VNodeChild {
  return h(
    NButton,
    {
      size: 'tiny',
      quaternary: true,
      loading: ctx.refreshingBalance(channel.id),
      'data-test': 'refresh-balance',
      'aria-label': ctx.t('channels.balance.refreshOne', { name: channel.name }),
      onClick: () => ctx.onRefreshBalance(channel),
    },
    () => '↻',
  )
}

/** The low-balance tag, with the threshold in its tooltip. */
function lowTag(channel: Channel, ctx: BalanceCellContext): VNodeChild {
  const { balance } = channel
  const threshold = channel.balanceThreshold === null || balance.currency === null ? null : ctx.balance(channel.balanceThreshold, balance.currency)
  const reason = balance.available === false ? ctx.t('channels.balance.unavailable') : ctx.t('channels.balance.belowThreshold', { threshold: threshold ?? '—' })
  return tip(
    h(NTag, { type: 'warning', size: 'small', bordered: false, 'data-test': 'balance-low' }, () => ctx.t('channels.balance.low')),
    reason,
  )
}

/** What the last read found, or why there is nothing to show. */
function reading(channel: Channel, ctx: BalanceCellContext): VNodeChild[] {
  const { balance } = channel
  const failed =
    balance.error === null
      ? null
      : tip(
          h(NTag, { type: 'error', size: 'small', bordered: false, 'data-test': 'balance-error' }, () => ctx.t('channels.balance.failed')),
          balance.error,
        )
  const { amount: value, currency } = balance
  if (value === null || currency === null) {
    return [failed ?? h(NText, { depth: 3 }, () => ctx.t('channels.balance.notRead'))]
  }
  const amount = h(NText, { type: balance.low ? 'warning' : undefined, strong: true, style: 'white-space: nowrap', 'data-test': 'balance-amount' }, () =>
    ctx.balance(value, currency),
  )
  const readAt = balance.readAt
  const time =
    readAt === null
      ? null
      : tip(
          h(NText, { depth: 3, class: 'cell-small', 'data-test': 'balance-read-at' }, () => ctx.ago(readAt)),
          ctx.t('channels.balance.readAt', { when: ctx.when(readAt) }),
        )
  return [h(NSpace, { size: 4, align: 'center', wrap: false }, () => [amount, balance.low ? lowTag(channel, ctx) : null, failed]), time]
}

/** The balance cell of one channel. */
export function balanceCell(channel: Channel, ctx: BalanceCellContext): VNodeChild {
  if (channel.balance.reader === null) {
    return tip(
      h(NText, { depth: 3, 'data-test': 'balance-unsupported' }, () => '—'),
      ctx.t('channels.balance.unsupported'),
    )
  }
  return h(NSpace, { size: 4, align: 'center', wrap: false, 'data-test': 'balance-cell' }, () => [
    h('div', { class: 'cell-stack' }, reading(channel, ctx)),
    refreshButton(channel, ctx),
  ])
}
