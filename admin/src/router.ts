import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteLocationRaw, type RouteRecordRaw } from 'vue-router'
import { PAGES } from './navigation.ts'
import { useSessionStore } from './stores/session.ts'
import { useStatusStore } from './stores/status.ts'

const routes: RouteRecordRaw[] = [
  {
    path: '/',
    component: () => import('./layouts/AppLayout.vue'),
    children: PAGES.map((page) => ({
      name: page.name,
      path: page.path,
      component: page.component,
      meta: { titleKey: page.titleKey, ...(page.role ? { role: page.role } : {}), ...(page.public ? { public: true } : {}) },
    })),
  },
  { name: 'login', path: '/login', component: () => import('./pages/login/LoginPage.vue'), meta: { public: true, titleKey: 'login.title' } },
  { name: 'setup', path: '/setup', component: () => import('./pages/setup/SetupPage.vue'), meta: { public: true, titleKey: 'setup.title' } },
  {
    name: 'not-found',
    path: '/:pathMatch(.*)*',
    component: () => import('./pages/not-found/NotFoundPage.vue'),
    meta: { public: true, titleKey: 'notFound.title' },
  },
]

/** A path inside the dashboard, never another site (`//evil.example` or `https://…`). */
export function safeRedirect(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : undefined
}

/** Where a visitor may go: setup first on a fresh install, then sign-in, then role checks. */
async function guard(to: RouteLocationNormalized): Promise<true | RouteLocationRaw> {
  const status = useStatusStore()
  await status.ensureLoaded()
  if (status.setupRequired) return to.name === 'setup' ? true : { name: 'setup' }
  if (to.name === 'setup') return { name: 'login' }
  const session = useSessionStore()
  try {
    await session.ensureLoaded()
  } catch {
    // The gateway did not answer: let the page render and show its own error.
    return true
  }
  if (to.name === 'login' && session.signedIn) {
    // Signed in and sent to /login?error=…: a provider link failed (the gateway sends every provider
    // error there); say so on the account page, where linking started.
    if (typeof to.query.error === 'string' && to.query.error !== '') return { name: 'profile', query: { linkError: to.query.error } }
    return safeRedirect(to.query.redirect) ?? { name: 'overview' }
  }
  if (to.meta.public) return true
  if (!session.signedIn) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  if (to.meta.role === 'admin' && !session.isAdmin) return { name: 'overview' }
  return true
}

/** The dashboard's router: HTML5 history (the gateway serves index.html for every dashboard path). */
export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(guard)
