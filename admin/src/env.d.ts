/// <reference types="vite/client" />
import 'vue-router'

declare module 'vue-router' {
  /** What the router guard and the menu read from each route. */
  interface RouteMeta {
    /** Reachable signed out (login, setup, pricing, not found). */
    public?: boolean
    /** Least role; plain users are sent to the overview. */
    role?: 'admin'
    /** Message key of the page's title (document title). */
    titleKey?: string
  }
}
