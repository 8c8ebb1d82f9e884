import { h, type VNodeChild } from 'vue'
import { NButton, NDropdown, NSpace, NTag, NText, NTooltip, type DataTableColumns, type DropdownOption } from 'naive-ui'
import type { Channel } from './channel-types.ts'
import { balanceCell, type BalanceCellContext } from './balance-cell.ts'
import { unitsMoney } from '../../api/units.ts'

/** A sortable column's key and the API field it sorts by. */
export const SORTABLE = ['id', 'name', 'status', 'priority', 'weight', 'testLatencyMs', 'usedQuota'] as const
/** A column the list can be sorted by. */
export type SortKey = (typeof SORTABLE)[number]
/** The list's sort: a column and a direction, or none (newest first). */
export type SortState = { key: SortKey; order: 'ascend' | 'descend' } | null

/** What a row's menu can do. */
export type ChannelAction = 'test-model' | 'enable' | 'disable' | 'reveal' | 'delete'

/** A local test result, kept until the next one: the table shows failures the stored latency cannot. */
export interface TestOutcome {
  ok: boolean
  latencyMs: number
  message: string
}

/** What the columns need from the page: words, formats and the row actions. */
export interface ChannelColumnContext extends BalanceCellContext {
  t: (key: string, named?: Record<string, unknown>, plural?: number) => string
  d: (value: Date, format: string) => string
  n: (value: number, format: string) => string
  sort: SortState
  /** On a phone nothing is pinned, so the table simply scrolls sideways. */
  narrow: boolean
  typeLabel: (id: string) => string
  testing: (id: number) => boolean
  outcome: (id: number) => TestOutcome | undefined
  onTest: (channel: Channel) => void
  onEdit: (channel: Channel) => void
  onAction: (channel: Channel, action: ChannelAction) => void
}

const tip = (trigger: VNodeChild, text: string) => h(NTooltip, null, { trigger: () => trigger, default: () => text })

function statusCell(channel: Channel, ctx: ChannelColumnContext): VNodeChild {
  if (channel.status === 'enabled')
    return h(NTag, { type: 'success', size: 'small', bordered: false, 'data-status': 'enabled' }, () => ctx.t('channels.status.enabled'))
  if (channel.status === 'manually-disabled')
    return h(NTag, { size: 'small', bordered: false, 'data-status': 'manually-disabled' }, () => ctx.t('channels.status.manuallyDisabled'))
  const tag = h(NTag, { type: 'error', size: 'small', bordered: false, 'data-status': 'auto-disabled' }, () => ctx.t('channels.status.autoDisabled'))
  return tip(tag, channel.statusReason ?? ctx.t('channels.status.noReason'))
}

function testCell(channel: Channel, ctx: ChannelColumnContext): VNodeChild {
  const outcome = ctx.outcome(channel.id)
  const failed =
    outcome && !outcome.ok
      ? tip(
          h(NTag, { type: 'error', size: 'small', bordered: false }, () => ctx.t('channels.test.failedShort')),
          outcome.message,
        )
      : null
  if (channel.testLatencyMs === null || channel.testedAt === null) return failed ?? h(NText, { depth: 3 }, () => ctx.t('channels.test.never'))
  const latency = channel.testLatencyMs
  const type = latency < 1000 ? 'success' : latency < 3000 ? 'warning' : 'error'
  return h('div', { class: 'cell-stack' }, [
    h(NSpace, { size: 4, align: 'center' }, () => [
      h(NText, { type, 'data-test': 'latency' }, () => ctx.t('channels.test.latency', { ms: ctx.n(latency, 'integer') })),
      failed,
    ]),
    h(NText, { depth: 3, class: 'cell-small' }, () => ctx.d(new Date(channel.testedAt ?? ''), 'long')),
  ])
}

function keysCell(channel: Channel, ctx: ChannelColumnContext): VNodeChild {
  const count = h('span', null, ctx.n(channel.keyCount, 'integer'))
  if (channel.disabledKeys.length === 0) return count
  const reasons = channel.disabledKeys.map((key) => `${ctx.d(new Date(key.at), 'long')}: ${key.reason}`).join('\n')
  const warning = h(NTag, { type: 'warning', size: 'small', bordered: false }, () =>
    ctx.t('channels.columns.keysDisabled', { count: channel.disabledKeys.length }, channel.disabledKeys.length),
  )
  return h(NSpace, { size: 4, align: 'center', wrap: false }, () => [count, tip(warning, reasons)])
}

function actionsCell(channel: Channel, ctx: ChannelColumnContext): VNodeChild {
  const id = channel.id
  const more: DropdownOption[] = [
    { key: 'test-model', label: ctx.t('channels.actions.testModel'), disabled: channel.models.length === 0 },
    channel.status === 'enabled' ? { key: 'disable', label: ctx.t('channels.actions.disable') } : { key: 'enable', label: ctx.t('channels.actions.enable') },
    { key: 'reveal', label: ctx.t('channels.actions.revealKeys') },
    { type: 'divider', key: 'divider' },
    { key: 'delete', label: ctx.t('common.actions.delete'), props: { style: 'color: var(--n-option-text-color-danger, #d03050)' } },
  ]
  return h(NSpace, { size: 4, wrap: false }, () => [
    h(NButton, { size: 'small', secondary: true, loading: ctx.testing(id), 'data-test': 'test-channel', onClick: () => ctx.onTest(channel) }, () =>
      ctx.t('channels.actions.test'),
    ),
    h(NButton, { size: 'small', quaternary: true, 'data-test': 'edit-channel', onClick: () => ctx.onEdit(channel) }, () => ctx.t('common.actions.edit')),
    h(NDropdown, { options: more, trigger: 'click', onSelect: (key: string) => ctx.onAction(channel, key as ChannelAction) }, () =>
      h(
        NButton,
        { size: 'small', quaternary: true, 'aria-label': ctx.t('channels.actions.more', { name: channel.name }), 'data-test': 'more-actions' },
        () => '⋯',
      ),
    ),
  ])
}

/** The channel table's columns; sortable ones reflect `ctx.sort`. */
export function channelColumns(ctx: ChannelColumnContext): DataTableColumns<Channel> {
  const order = (key: SortKey): 'ascend' | 'descend' | false => (ctx.sort?.key === key ? ctx.sort.order : false)
  const sortable = (key: SortKey) => ({ key, sorter: true as const, sortOrder: order(key) })
  const left = ctx.narrow ? {} : { fixed: 'left' as const }
  const right = ctx.narrow ? {} : { fixed: 'right' as const }
  return [
    { type: 'selection', ...left, width: 44 },
    { title: ctx.t('channels.columns.id'), ...sortable('id'), width: 70 },
    {
      title: ctx.t('channels.columns.name'),
      ...sortable('name'),
      minWidth: 120,
      ...left,
      ellipsis: { tooltip: true },
      render: (channel) => h('span', { 'data-test': 'channel-name-cell' }, channel.name),
    },
    { title: ctx.t('channels.columns.type'), key: 'type', width: 120, render: (channel) => ctx.typeLabel(channel.type) },
    { title: ctx.t('channels.columns.status'), ...sortable('status'), width: 120, render: (channel) => statusCell(channel, ctx) },
    { title: ctx.t('channels.columns.lastTest'), ...sortable('testLatencyMs'), width: 130, render: (channel) => testCell(channel, ctx) },
    { title: ctx.t('channels.columns.used'), ...sortable('usedQuota'), width: 110, render: (channel) => unitsMoney(ctx.n, channel.usedQuota, 'balance') },
    { title: ctx.t('channels.balance.title'), key: 'balance', width: 160, render: (channel) => balanceCell(channel, ctx) },
    { title: ctx.t('channels.columns.priority'), ...sortable('priority'), width: 84, render: (channel) => ctx.n(channel.priority, 'integer') },
    { title: ctx.t('channels.columns.weight'), ...sortable('weight'), width: 80, render: (channel) => ctx.n(channel.weight, 'integer') },
    {
      title: ctx.t('channels.columns.models'),
      key: 'models',
      width: 90,
      render: (channel) => tip(h('span', { class: 'cell-link' }, ctx.n(channel.models.length, 'integer')), channel.models.join(', ') || '—'),
    },
    { title: ctx.t('channels.columns.keys'), key: 'keyCount', width: 100, render: (channel) => keysCell(channel, ctx) },
    {
      title: ctx.t('channels.columns.tags'),
      key: 'tags',
      width: 116,
      render: (channel) =>
        channel.tags.length === 0
          ? h(NText, { depth: 3 }, () => '—')
          : h(NSpace, { size: 4 }, () => channel.tags.map((tag) => h(NTag, { size: 'small', round: true }, () => tag))),
    },
    { title: ctx.t('channels.columns.actions'), key: 'actions', width: 204, ...right, render: (channel) => actionsCell(channel, ctx) },
  ]
}
