import { Elysia } from 'elysia'
import type { AppContext } from '../app-context.ts'
import type { RelayServices } from '../relay/pipeline.ts'
import { createAdminDeps } from './deps.ts'
import { signInRoutes } from './sign-in.ts'
import { channelRoutes } from './channels.ts'
import { channelKeyRoutes } from './channel-keys.ts'
import { upstreamModelRoutes } from './upstream-models.ts'
import { channelBalanceRoutes } from './channel-balances.ts'
import { tokenRoutes } from './tokens.ts'
import { userRoutes } from './users.ts'
import { groupRoutes } from './groups.ts'
import { modelRoutes } from './models.ts'
import { logRoutes } from './logs.ts'
import { taskAdminRoutes } from './tasks.ts'
import { optionRoutes } from './options.ts'
import { redemptionRoutes } from './redemptions.ts'
import { publicRoutes } from './public.ts'
import { twoFactorRoutes } from './two-factor.ts'
import { sessionRoutes } from './sessions.ts'
import { statsRoutes } from './stats.ts'
import { systemRoutes } from './system.ts'
import { setupRoutes } from './setup.ts'
import { playgroundRoutes } from './playground.ts'
import { notFoundRoutes } from '../http/not-found.ts'
import { signInSettingsRoutes } from './sign-in-settings.ts'
import { oauthRoutes } from './oauth.ts'
import { telegramRoutes } from './telegram.ts'
import { registrationRoutes } from './registration.ts'
import { pendingLoginRoutes } from './pending-login.ts'
import { oauthAccountRoutes } from './oauth-accounts.ts'
import { pluginRoutes } from './plugins.ts'
import { topupRoutes } from './topups.ts'

/**
 * The admin API under /api. Every route declares the least role it needs (`access(role, …)`, also
 * published as `x-required-role` in OpenAPI) and TypeBox schemas for its input and output.
 */
export function adminRoutes(context: AppContext, relay?: RelayServices) {
  const deps = createAdminDeps(context, relay)
  return new Elysia({ name: 'admin-routes', prefix: '/api' })
    .use(signInRoutes(deps))
    .use(channelRoutes(deps))
    .use(channelKeyRoutes(deps))
    .use(upstreamModelRoutes(deps))
    .use(channelBalanceRoutes(deps))
    .use(tokenRoutes(deps))
    .use(userRoutes(deps))
    .use(groupRoutes(deps))
    .use(modelRoutes(deps))
    .use(logRoutes(deps))
    .use(taskAdminRoutes(deps))
    .use(optionRoutes(deps))
    .use(redemptionRoutes(deps))
    .use(topupRoutes(deps))
    .use(publicRoutes(deps))
    .use(twoFactorRoutes(deps))
    .use(sessionRoutes(deps))
    .use(statsRoutes(deps))
    .use(systemRoutes(deps))
    .use(pluginRoutes(deps))
    .use(signInSettingsRoutes(deps))
    .use(oauthRoutes(deps))
    .use(telegramRoutes(deps))
    .use(registrationRoutes(deps))
    .use(pendingLoginRoutes(deps))
    .use(oauthAccountRoutes(deps))
    .use(setupRoutes(deps))
    .use(playgroundRoutes(deps))
    .use(notFoundRoutes(deps))
}
