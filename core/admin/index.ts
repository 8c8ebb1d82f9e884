import { Elysia } from 'elysia'
import type { AppContext } from '../app-context.ts'
import { createAdminDeps } from './http.ts'
import { signInRoutes } from './sign-in.ts'
import { channelRoutes } from './channels.ts'
import { tokenRoutes } from './tokens.ts'
import { userRoutes } from './users.ts'
import { logRoutes } from './logs.ts'
import { optionRoutes } from './options.ts'

/** The admin API under /api: every route declares its required role and schemas for OpenAPI. */
export function adminRoutes(context: AppContext) {
  const deps = createAdminDeps(context)
  return new Elysia({ name: 'admin-routes' })
    .use(signInRoutes(deps))
    .use(channelRoutes(deps))
    .use(tokenRoutes(deps))
    .use(userRoutes(deps))
    .use(logRoutes(deps))
    .use(optionRoutes(deps))
}
