import { Elysia } from 'elysia'
import type { AppContext } from './app-context.ts'
import type { RelayServices } from './relay/pipeline.ts'
import { createAdminDeps } from './admin/deps.ts'
import { signInRoutes } from './identity/sign-in.ts'
import { channelRoutes } from './admin/channels/channels.ts'
import { channelKeyRoutes } from './admin/channels/channel-keys.ts'
import { upstreamModelRoutes } from './admin/channels/upstream-models.ts'
import { channelBalanceRoutes } from './admin/channels/channel-balances.ts'
import { tokenRoutes } from './admin/tokens/tokens.ts'
import { userRoutes } from './admin/users/users.ts'
import { ownAccountRoutes } from './identity/own-account-routes.ts'
import { groupRoutes } from './admin/groups/groups.ts'
import { modelRoutes } from './admin/models/models.ts'
import { logRoutes } from './admin/logs/logs.ts'
import { taskAdminRoutes } from './admin/tasks/tasks.ts'
import { optionRoutes } from './admin/options/options.ts'
import { redemptionRoutes } from './admin/redemptions/redemptions.ts'
import { publicRoutes } from './admin/public/public.ts'
import { twoFactorRoutes } from './identity/two-factor.ts'
import { sessionRoutes } from './identity/sessions.ts'
import { statsRoutes } from './admin/stats/stats.ts'
import { systemRoutes } from './admin/system/system.ts'
import { setupRoutes } from './identity/setup.ts'
import { playgroundRoutes } from './admin/playground/playground.ts'
import { notFoundRoutes } from './http/not-found.ts'
import { signInSettingsRoutes } from './identity/sign-in-settings.ts'
import { oauthRoutes } from './identity/oauth.ts'
import { telegramRoutes } from './identity/telegram.ts'
import { registrationRoutes } from './identity/registration.ts'
import { pendingLoginRoutes } from './identity/pending-login.ts'
import { oauthAccountRoutes } from './identity/oauth-accounts.ts'
import { pluginRoutes } from './admin/plugins/plugins.ts'
import { topupRoutes } from './admin/topups/topups.ts'

/**
 * The dashboard's API under /api, from its three rooms: sign-in and each user's own account
 * (core/identity), the resources admins manage (core/admin/<resource>), and the plumbing both use
 * (core/http). Every route declares the least role it needs (`access(role, …)`, also published as
 * `x-required-role` in OpenAPI) and TypeBox schemas for its input and output. The order below is the
 * order of the OpenAPI document's paths.
 */
export function apiRoutes(context: AppContext, relay?: RelayServices) {
  const deps = createAdminDeps(context, relay)
  return new Elysia({ name: 'admin-routes', prefix: '/api' })
    .use(signInRoutes(deps))
    .use(channelRoutes(deps))
    .use(channelKeyRoutes(deps))
    .use(upstreamModelRoutes(deps))
    .use(channelBalanceRoutes(deps))
    .use(tokenRoutes(deps))
    .use(ownAccountRoutes(deps))
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
