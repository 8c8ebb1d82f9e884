import { h, type VNodeChild } from 'vue'
import { NButton, NDropdown, NSpace, NTag, NText, type DataTableColumns, type DropdownOption } from 'naive-ui'
import { unitsMoney } from '../../api/units.ts'
import type { User } from './user-types.ts'

/** Columns the user list can be sorted by (the API's sort fields). */
export const USER_SORTABLE = ['id', 'username', 'quota', 'usedQuota', 'requestCount', 'createdAt'] as const
/** A sortable column. */
export type UserSortKey = (typeof USER_SORTABLE)[number]
/** What a row's menu can do. */
export type UserAction = 'toggle' | 'reset-password' | 'delete'

/** What the columns need from the page. */
export interface UserColumnContext {
  t: (key: string, named?: Record<string, unknown>) => string
  n: (value: number, format: string) => string
  d: (value: Date, format: string) => string
  sort: { key: UserSortKey; order: 'ascend' | 'descend' } | null
  onEdit: (user: User) => void
  onQuota: (user: User) => void
  onAction: (user: User, action: UserAction) => void
}

const ROLE_TYPES = { root: 'error', admin: 'warning', user: 'default' } as const
/** Message keys of each role and status (kept literal so the message test can check them). */
export const ROLE_LABELS = { root: 'users.role.root', admin: 'users.role.admin', user: 'users.role.user' } as const
export const STATUS_LABELS = { enabled: 'users.status.enabled', disabled: 'users.status.disabled' } as const

function actions(user: User, ctx: UserColumnContext): VNodeChild {
  const root = user.role === 'root'
  const more: DropdownOption[] = [
    ...(root ? [] : [{ key: 'toggle', label: user.status === 'enabled' ? ctx.t('users.actions.disable') : ctx.t('users.actions.enable') }]),
    { key: 'reset-password', label: ctx.t('users.actions.resetPassword') },
    // Root can never be deleted: the action is not offered.
    ...(root
      ? []
      : [
          { type: 'divider', key: 'divider' },
          { key: 'delete', label: ctx.t('common.actions.delete') },
        ]),
  ]
  return h(NSpace, { size: 4, wrap: false }, () => [
    h(NButton, { size: 'small', quaternary: true, 'data-test': 'edit-user', onClick: () => ctx.onEdit(user) }, () => ctx.t('common.actions.edit')),
    h(NButton, { size: 'small', secondary: true, 'data-test': 'adjust-quota', onClick: () => ctx.onQuota(user) }, () => ctx.t('users.actions.quota')),
    h(NDropdown, { options: more, trigger: 'click', onSelect: (key: string) => ctx.onAction(user, key as UserAction) }, () =>
      h(
        NButton,
        { size: 'small', quaternary: true, 'aria-label': ctx.t('users.actions.more', { name: user.username }), 'data-test': 'more-actions' },
        () => '⋯',
      ),
    ),
  ])
}

/** The user table's columns. */
export function userColumns(ctx: UserColumnContext): DataTableColumns<User> {
  const order = (key: UserSortKey): 'ascend' | 'descend' | false => (ctx.sort?.key === key ? ctx.sort.order : false)
  const sortable = (key: UserSortKey) => ({ key, sorter: true as const, sortOrder: order(key) })
  const muted = (text: string) => h(NText, { depth: 3 }, () => text)
  return [
    { title: ctx.t('users.columns.id'), ...sortable('id'), width: 70 },
    {
      title: ctx.t('users.columns.username'),
      ...sortable('username'),
      minWidth: 170,
      render: (user) =>
        h('div', { class: 'cell-stack' }, [
          h('span', { 'data-test': 'user-name-cell' }, user.username),
          user.displayName ? h(NText, { depth: 3, class: 'cell-small' }, () => user.displayName) : null,
        ]),
    },
    { title: ctx.t('users.columns.email'), key: 'email', width: 200, ellipsis: { tooltip: true }, render: (user) => user.email ?? muted('—') },
    {
      title: ctx.t('users.columns.role'),
      key: 'role',
      width: 100,
      render: (user) => h(NTag, { size: 'small', bordered: false, type: ROLE_TYPES[user.role] }, () => ctx.t(ROLE_LABELS[user.role])),
    },
    { title: ctx.t('users.columns.group'), key: 'group', width: 110 },
    {
      title: ctx.t('users.columns.balance'),
      ...sortable('quota'),
      width: 120,
      render: (user) => h('span', { 'data-test': 'balance' }, unitsMoney(ctx.n, user.quota, 'balance')),
    },
    { title: ctx.t('users.columns.used'), ...sortable('usedQuota'), width: 110, render: (user) => unitsMoney(ctx.n, user.usedQuota, 'balance') },
    { title: ctx.t('users.columns.requests'), ...sortable('requestCount'), width: 110, render: (user) => ctx.n(user.requestCount, 'integer') },
    {
      title: ctx.t('users.columns.status'),
      key: 'status',
      width: 100,
      render: (user) =>
        h(NTag, { size: 'small', bordered: false, type: user.status === 'enabled' ? 'success' : 'default', 'data-status': user.status }, () =>
          ctx.t(STATUS_LABELS[user.status]),
        ),
    },
    {
      title: ctx.t('users.columns.twoFactor'),
      key: 'twoFactorEnabled',
      width: 90,
      render: (user) =>
        user.twoFactorEnabled
          ? h(NTag, { size: 'small', bordered: false, type: 'info' }, () => ctx.t('users.twoFactorOn'))
          : muted(ctx.t('users.twoFactorOff')),
    },
    { title: ctx.t('users.columns.created'), ...sortable('createdAt'), width: 130, render: (user) => ctx.d(new Date(user.createdAt), 'short') },
    { title: ctx.t('users.columns.actions'), key: 'actions', width: 230, render: (user) => actions(user, ctx) },
  ]
}
