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

/** The table's columns; user and channel only for admins. The message comes right after the model so
 * it is on screen without scrolling, and takes whatever width is left; request id and client address
 * are in the drawer (and the CSV). */
export function logColumns({ t, format, isAdmin, onDetails }: ColumnContext): DataTableColumns<LogRow> {
  const columns: DataTableColumns<LogRow> = [
    { key: 'createdAt', title: t('logs.columns.time'), width: 170, render: (row) => h('span', { class: 'logs__nowrap' }, format.time(row.createdAt)) },
    {
      key: 'type',
      title: t('logs.columns.type'),
      width: 140,
      render: (row) =>
        h(
          NTag,
          { size: 'small', bordered: false, type: TYPE_TAG[row.type] ?? 'default', class: 'logs__type', 'data-type': row.type },
          { default: () => format.typeName(row.type) },
        ),
    },
  ]
  if (isAdmin) {
    columns.push({
      key: 'user',
      title: t('logs.columns.user'),
      width: 120,
      ellipsis: { tooltip: true },
      render: (row) => (row.userId === null ? '–' : `${row.username ?? ''} #${row.userId}`),
    })
  }
  columns.push({
    key: 'token',
    title: t('logs.columns.token'),
    width: 120,
    ellipsis: { tooltip: true },
    render: (row) =>
      row.tokenId === null ? (row.type === 'consume' || row.type === 'error' ? t('logs.cells.playground') : '–') : `${row.tokenName ?? ''} #${row.tokenId}`,
  })
  if (isAdmin) {
    columns.push({
      key: 'channelId',
      title: t('logs.columns.channel'),
      width: 140,
      ellipsis: { tooltip: true },
      render: (row) => h('span', { 'data-test': 'log-channel' }, format.channel(row)),
    })
  }
  columns.push(
    {
      key: 'model',
      title: t('logs.columns.model'),
      width: 180,
      render: (row) =>
        h('div', { class: 'logs__model' }, [
          h('span', { 'data-test': 'log-model' }, dash(row.model)),
          row.upstreamModel && row.upstreamModel !== row.model
            ? h(NText, { depth: 3, class: 'logs__sub' }, { default: () => t('logs.cells.upstream', { model: row.upstreamModel }) })
            : null,
        ]),
    },
    {
      key: 'content',
      title: t('logs.columns.content'),
      minWidth: 200,
      ellipsis: { tooltip: true },
      render: (row) => h('span', { 'data-test': 'log-content' }, dash(format.content(row))),
    },
    {
      key: 'promptTokens',
      title: t('logs.columns.prompt'),
      width: 90,
      align: 'right',
      render: (row) => {
        const cached = row.cacheReadTokens + row.cacheWriteTokens
        if (cached === 0) return format.integer(row.promptTokens)
        return h(NTooltip, null, {
          trigger: () =>
            h('div', { class: 'logs__model', tabindex: 0 }, [
              h('span', null, format.integer(row.promptTokens)),
              h(NText, { depth: 3, class: 'logs__sub' }, { default: () => t('logs.cells.cached', { count: format.integer(cached) }) }),
            ]),
          default: () => t('logs.cells.cacheSplit', { read: format.integer(row.cacheReadTokens), write: format.integer(row.cacheWriteTokens) }),
        })
      },
    },
    { key: 'completionTokens', title: t('logs.columns.completion'), width: 100, align: 'right', render: (row) => format.integer(row.completionTokens) },
    {
      key: 'quota',
      title: t('logs.columns.cost'),
      width: 110,
      align: 'right',
      render: (row) => h('span', { 'data-test': 'log-cost', class: 'logs__nowrap' }, format.usd(row.quota)),
    },
    {
      key: 'latency',
      title: t('logs.columns.latency'),
      width: 140,
      render: (row) =>
        h('div', { class: 'logs__model' }, [
          h('span', { class: 'logs__nowrap' }, [
            format.seconds(row.latencyMs),
            row.isStream ? h(NTag, { size: 'tiny', bordered: false, type: 'info', class: 'logs__stream' }, { default: () => t('logs.cells.streamYes') }) : null,
          ]),
          row.firstTokenMs !== null
            ? h(NText, { depth: 3, class: 'logs__sub' }, { default: () => t('logs.cells.firstToken', { value: format.seconds(row.firstTokenMs) }) })
            : null,
        ]),
    },
    {
      key: 'actions',
      title: t('logs.columns.actions'),
      width: 100,
      fixed: 'right',
      render: (row) =>
        h(NButton, { size: 'small', secondary: true, 'data-test': 'log-details', onClick: () => onDetails(row) }, { default: () => t('logs.cells.details') }),
    },
  )
  return columns
}
