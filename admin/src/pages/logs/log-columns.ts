import { h } from 'vue'
import { NButton, NTag, NText, NTooltip, type DataTableColumns } from 'naive-ui'
import type { ResponseOf } from '../../api/types.ts'
import { TYPE_TAG, type useLogFormat } from './log-format.ts'

// The columns of the logs table, rendered with naive-ui components (h() render functions, as
// NDataTable takes them).

/** One log row as GET /api/logs returns it. */
export type LogRow = ResponseOf<'listLogs'>['items'][number]

/** What the columns need from the page. */
export interface ColumnContext {
  t: (key: string, named?: Record<string, unknown>) => string
  format: ReturnType<typeof useLogFormat>
  isAdmin: boolean
  onDetails: (row: LogRow) => void
}

function dash(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? '–' : String(value)
}

/** The table's columns; user and channel only for admins. */
export function logColumns({ t, format, isAdmin, onDetails }: ColumnContext): DataTableColumns<LogRow> {
  const columns: DataTableColumns<LogRow> = [
    { key: 'createdAt', title: t('logs.columns.time'), width: 200, render: (row) => h('span', { class: 'logs__nowrap' }, format.time(row.createdAt)) },
    {
      key: 'type', title: t('logs.columns.type'), width: 96,
      render: (row) => h(NTag, { size: 'small', bordered: false, type: TYPE_TAG[row.type] ?? 'default', 'data-type': row.type }, { default: () => format.typeName(row.type) }),
    },
  ]
  if (isAdmin) {
    columns.push({ key: 'user', title: t('logs.columns.user'), width: 120, ellipsis: { tooltip: true }, render: (row) => (row.userId === null ? '–' : `${row.username ?? ''} #${row.userId}`) })
  }
  columns.push({
    key: 'token', title: t('logs.columns.token'), width: 130, ellipsis: { tooltip: true },
    render: (row) => (row.tokenId === null ? (row.type === 'consume' || row.type === 'error' ? t('logs.cells.playground') : '–') : `${row.tokenName ?? ''} #${row.tokenId}`),
  })
  if (isAdmin) columns.push({ key: 'channelId', title: t('logs.columns.channel'), width: 90, render: (row) => (row.channelId === null ? '–' : `#${row.channelId}`) })
  columns.push(
    {
      key: 'model', title: t('logs.columns.model'), width: 180,
      render: (row) => h('div', { class: 'logs__model' }, [
        h('span', { 'data-test': 'log-model' }, dash(row.model)),
        row.upstreamModel && row.upstreamModel !== row.model
          ? h(NText, { depth: 3, class: 'logs__sub' }, { default: () => t('logs.cells.upstream', { model: row.upstreamModel }) })
          : null,
      ]),
    },
    { key: 'promptTokens', title: t('logs.columns.prompt'), width: 90, align: 'right', render: (row) => format.integer(row.promptTokens) },
    { key: 'completionTokens', title: t('logs.columns.completion'), width: 100, align: 'right', render: (row) => format.integer(row.completionTokens) },
    {
      key: 'cache', title: t('logs.columns.cache'), width: 90, align: 'right',
      render: (row) => {
        const total = Number(row.cacheReadTokens) + Number(row.cacheWriteTokens)
        if (total === 0) return '0'
        return h(NTooltip, null, {
          trigger: () => h('span', { tabindex: 0 }, format.integer(total)),
          default: () => t('logs.cells.cacheSplit', { read: format.integer(row.cacheReadTokens), write: format.integer(row.cacheWriteTokens) }),
        })
      },
    },
    { key: 'quota', title: t('logs.columns.cost'), width: 110, align: 'right', render: (row) => h('span', { 'data-test': 'log-cost' }, format.usd(row.quota)) },
    {
      key: 'latency', title: t('logs.columns.latency'), width: 130,
      render: (row) => h('div', { class: 'logs__model' }, [
        h('span', null, format.seconds(row.latencyMs)),
        row.firstTokenMs !== null ? h(NText, { depth: 3, class: 'logs__sub' }, { default: () => t('logs.cells.firstToken', { value: format.seconds(row.firstTokenMs) }) }) : null,
      ]),
    },
    {
      key: 'isStream', title: t('logs.columns.stream'), width: 80,
      render: (row) => h(NTag, { size: 'small', bordered: false, type: row.isStream ? 'info' : 'default' }, { default: () => (row.isStream ? t('logs.cells.streamYes') : t('logs.cells.streamNo')) }),
    },
    {
      key: 'requestId', title: t('logs.columns.requestId'), width: 170,
      render: (row) => (row.requestId
        ? h('div', { class: 'logs__request-id' }, [
          h('code', { class: 'logs__code', title: row.requestId }, row.requestId),
          h(NButton, { size: 'tiny', quaternary: true, 'aria-label': t('logs.cells.copyRequestId'), 'data-test': 'copy-request-id', onClick: () => void format.copy(row.requestId ?? '') }, { default: () => t('logs.cells.copy') }),
        ])
        : '–'),
    },
    { key: 'ip', title: t('logs.columns.ip'), width: 120, render: (row) => dash(row.ip) },
    { key: 'content', title: t('logs.columns.content'), width: 220, ellipsis: { tooltip: true }, render: (row) => dash(row.content) },
    {
      key: 'actions', title: t('logs.columns.actions'), width: 90, fixed: 'right',
      render: (row) => h(NButton, { size: 'small', secondary: true, 'data-test': 'log-details', onClick: () => onDetails(row) }, { default: () => t('logs.cells.details') }),
    },
  )
  return columns
}

/** The width the table needs before it scrolls sideways. */
export function columnsWidth(columns: DataTableColumns<LogRow>): number {
  return columns.reduce((sum, column) => sum + (('width' in column && typeof column.width === 'number') ? column.width : 100), 0)
}
