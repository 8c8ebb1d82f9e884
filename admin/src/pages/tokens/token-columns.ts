import { h, type VNodeChild } from 'vue'
import { NButton, NSpace, NTag, NText, NTooltip, type DataTableColumns } from 'naive-ui'
import { unitsMoney } from '../../api/units.ts'
import type { Token } from './token-types.ts'

/** Columns the key list can be sorted by (the API's sort fields). */
export const TOKEN_SORTABLE = ['name', 'remainQuota', 'usedQuota', 'expiresAt', 'lastUsedAt', 'createdAt'] as const
/** A sortable column. */
export type TokenSortKey = (typeof TOKEN_SORTABLE)[number]

/** What the columns need from the page. */
export interface TokenColumnContext {
  t: (key: string, named?: Record<string, unknown>, plural?: number) => string
  d: (value: Date, format: string) => string
  n: (value: number, format: string) => string
  sort: { key: TokenSortKey; order: 'ascend' | 'descend' } | null
  /** Show the owner column (an admin looking at every user's keys). */
  showOwner: boolean
  owner: (userId: number) => string
  now: number
  onEdit: (token: Token) => void
  onToggle: (token: Token) => void
  onDelete: (token: Token) => void
}

const tip = (trigger: VNodeChild, text: string) => h(NTooltip, null, { trigger: () => trigger, default: () => text })
const muted = (text: string) => h(NText, { depth: 3 }, () => text)

function statusCell(token: Token, ctx: TokenColumnContext): VNodeChild {
  if (token.status === 'disabled') return h(NTag, { size: 'small', bordered: false, 'data-status': 'disabled' }, () => ctx.t('tokens.status.disabled'))
  if (token.expiresAt && Date.parse(token.expiresAt) <= ctx.now)
    return h(NTag, { size: 'small', type: 'warning', bordered: false, 'data-status': 'expired' }, () => ctx.t('tokens.status.expired'))
  if (!token.unlimited && token.remainQuota <= 0)
    return h(NTag, { size: 'small', type: 'warning', bordered: false, 'data-status': 'exhausted' }, () => ctx.t('tokens.status.exhausted'))
  return h(NTag, { size: 'small', type: 'success', bordered: false, 'data-status': 'enabled' }, () => ctx.t('tokens.status.enabled'))
}

function listCell(values: string[] | null, everything: string, ctx: TokenColumnContext, label: string): VNodeChild {
  if (!values || values.length === 0) return muted(everything)
  return tip(h('span', { class: 'cell-link' }, ctx.t(label, { count: values.length }, values.length)), values.join(', '))
}

/** The API key table's columns. */
export function tokenColumns(ctx: TokenColumnContext): DataTableColumns<Token> {
  const order = (key: TokenSortKey): 'ascend' | 'descend' | false => (ctx.sort?.key === key ? ctx.sort.order : false)
  const sortable = (key: TokenSortKey) => ({ key, sorter: true as const, sortOrder: order(key) })
  const date = (value: string | null, none: string) => (value ? ctx.d(new Date(value), 'long') : muted(none))
  return [
    {
      title: ctx.t('tokens.columns.name'),
      ...sortable('name'),
      minWidth: 180,
      render: (token) =>
        h('div', { class: 'cell-stack' }, [
          h('span', { 'data-test': 'token-name-cell' }, token.name),
          h(NText, { depth: 3, class: 'cell-mono' }, () => token.keyPreview),
        ]),
    },
    ...(ctx.showOwner ? [{ title: ctx.t('tokens.columns.owner'), key: 'userId', width: 120, render: (token: Token) => ctx.owner(token.userId) }] : []),
    { title: ctx.t('tokens.columns.status'), key: 'status', width: 110, render: (token) => statusCell(token, ctx) },
    {
      title: ctx.t('tokens.columns.remaining'),
      ...sortable('remainQuota'),
      width: 130,
      render: (token) =>
        token.unlimited
          ? h(NTag, { size: 'small', bordered: false, type: 'info' }, () => ctx.t('tokens.unlimited'))
          : h('span', { 'data-test': 'remaining' }, unitsMoney(ctx.n, token.remainQuota, 'balance')),
    },
    { title: ctx.t('tokens.columns.used'), ...sortable('usedQuota'), width: 110, render: (token) => unitsMoney(ctx.n, token.usedQuota, 'balance') },
    { title: ctx.t('tokens.columns.expires'), ...sortable('expiresAt'), width: 170, render: (token) => date(token.expiresAt, ctx.t('tokens.never')) },
    {
      title: ctx.t('tokens.columns.models'),
      key: 'models',
      width: 120,
      render: (token) => listCell(token.models, ctx.t('tokens.allModels'), ctx, 'tokens.modelCount'),
    },
    {
      title: ctx.t('tokens.columns.ips'),
      key: 'ipAllowlist',
      width: 120,
      render: (token) => listCell(token.ipAllowlist, ctx.t('tokens.anyAddress'), ctx, 'tokens.ipCount'),
    },
    { title: ctx.t('tokens.columns.group'), key: 'group', width: 120, render: (token) => token.group ?? muted(ctx.t('tokens.ownerGroup')) },
    { title: ctx.t('tokens.columns.lastUsed'), ...sortable('lastUsedAt'), width: 170, render: (token) => date(token.lastUsedAt, ctx.t('tokens.neverUsed')) },
    {
      title: ctx.t('tokens.columns.actions'),
      key: 'actions',
      width: 220,
      render: (token) =>
        h(NSpace, { size: 4, wrap: false }, () => [
          h(NButton, { size: 'small', quaternary: true, 'data-test': 'edit-token', onClick: () => ctx.onEdit(token) }, () => ctx.t('common.actions.edit')),
          h(NButton, { size: 'small', quaternary: true, 'data-test': 'toggle-token', onClick: () => ctx.onToggle(token) }, () =>
            token.status === 'enabled' ? ctx.t('tokens.disable') : ctx.t('tokens.enable'),
          ),
          h(NButton, { size: 'small', quaternary: true, type: 'error', 'data-test': 'delete-token', onClick: () => ctx.onDelete(token) }, () =>
            ctx.t('common.actions.delete'),
          ),
        ]),
    },
  ]
}
