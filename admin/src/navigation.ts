import type { Component } from 'vue'

/** One page of the dashboard: its route, its menu entry and who may open it. */
export interface PageEntry {
  /** Route name, also the folder under src/pages/. */
  name: string
  path: string
  /** Message key of the menu label and page title. */
  titleKey: string
  /** Menu section. */
  group: 'console' | 'admin'
  /** Admin-only pages are hidden from plain users and guarded by the router. */
  role?: 'admin'
  /** Reachable signed out. */
  public?: boolean
  /** The page component, loaded when first visited (each page is its own chunk). */
  component: () => Promise<Component>
}

/**
 * Every page inside the app frame, in menu order. A page author replaces the page's component file;
 * a new page is one entry here plus its folder under src/pages/ and its messages file.
 */
export const PAGES: PageEntry[] = [
  { name: 'overview', path: '/', titleKey: 'nav.overview', group: 'console', component: () => import('./pages/overview/OverviewPage.vue') },
  { name: 'playground', path: '/playground', titleKey: 'nav.playground', group: 'console', component: () => import('./pages/playground/PlaygroundPage.vue') },
  { name: 'tokens', path: '/tokens', titleKey: 'nav.tokens', group: 'console', component: () => import('./pages/tokens/TokensPage.vue') },
  { name: 'logs', path: '/logs', titleKey: 'nav.logs', group: 'console', component: () => import('./pages/logs/LogsPage.vue') },
  { name: 'tasks', path: '/tasks', titleKey: 'nav.tasks', group: 'console', component: () => import('./pages/tasks/TasksPage.vue') },
  { name: 'models', path: '/pricing', titleKey: 'nav.models', group: 'console', public: true, component: () => import('./pages/models/ModelsPage.vue') },
  { name: 'topup', path: '/topup', titleKey: 'nav.topup', group: 'console', component: () => import('./pages/topup/TopupPage.vue') },
  { name: 'profile', path: '/profile', titleKey: 'nav.profile', group: 'console', component: () => import('./pages/profile/ProfilePage.vue') },
  {
    name: 'channels',
    path: '/channels',
    titleKey: 'nav.channels',
    group: 'admin',
    role: 'admin',
    component: () => import('./pages/channels/ChannelsPage.vue'),
  },
  { name: 'users', path: '/users', titleKey: 'nav.users', group: 'admin', role: 'admin', component: () => import('./pages/users/UsersPage.vue') },
  {
    name: 'redemptions',
    path: '/redemptions',
    titleKey: 'nav.redemptions',
    group: 'admin',
    role: 'admin',
    component: () => import('./pages/redemptions/RedemptionsPage.vue'),
  },
  {
    name: 'settings',
    path: '/settings',
    titleKey: 'nav.settings',
    group: 'admin',
    role: 'admin',
    component: () => import('./pages/settings/SettingsPage.vue'),
  },
  { name: 'plugins', path: '/plugins', titleKey: 'nav.plugins', group: 'admin', role: 'admin', component: () => import('./pages/plugins/PluginsPage.vue') },
]

/** The pages a visitor may see in the menu: signed out only public ones, plain users no admin ones. */
export function visiblePages(pages: readonly PageEntry[], viewer: { signedIn: boolean; isAdmin: boolean }): PageEntry[] {
  return pages.filter((page) => (viewer.signedIn ? !page.role || viewer.isAdmin : page.public === true))
}
