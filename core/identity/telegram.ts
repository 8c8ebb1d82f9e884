import { Elysia, t } from 'elysia'
import { GatewayError } from '../errors.ts'
import { failOpen, warnLimitStoreDown } from '../limits/limit-checks.ts'
import { ExternalSignInResponse, TelegramLoginRequest } from '../../schemas/admin/sign-in.ts'
import { completeExternalSignIn, outcomeAsJson } from './external-sign-in.ts'
import { access, apiBase, withErrors } from '../http/api-base.ts'
import type { IdentityDeps } from './deps.ts'
import { guardSignIn } from './login-session.ts'
import { safeRedirectPath } from './oauth-state.ts'
import { isSecureRequest } from '../http/session-cookie.ts'
import { activeProviders } from './sign-in-settings-store.ts'
import { TELEGRAM_MAX_AGE_SECONDS, telegramIdentity, telegramLoginProblem } from './telegram-login.ts'

/** Telegram Login: the login page posts what the widget gave it; signs in, links (`?link=1`) or registers. */
export function telegramRoutes(deps: IdentityDeps) {
  const { context } = deps
  return new Elysia().use(apiBase(deps)).post(
    '/auth/telegram',
    async ({ actor, body, clientIp, query, request, set }) => {
      await guardSignIn(context, clientIp)
      const settings = await deps.signIn.get()
      const token = settings.telegram.botTokenSealed
      if (!activeProviders(settings).includes('telegram') || !token)
        throw new GatewayError(404, 'provider_disabled', 'Sign-in with Telegram is not enabled here')
      const redirect = safeRedirectPath(query.redirect)
      const problem = telegramLoginProblem(body, context.secretBox.open(token), context.now())
      if (problem) throw new GatewayError(401, 'unauthorized', problem)
      const link = query.link === '1' || query.link === 'true'
      if (link && !actor) throw new GatewayError(401, 'unauthorized', 'Sign in first to link an account')
      // Signed widget data is valid for a day; each one is accepted once, so captured data cannot be replayed.
      const first = await failOpen(
        () => context.limiter.take(`telegram-login:${body.hash}`, 1, TELEGRAM_MAX_AGE_SECONDS * 1000),
        { allowed: true, limit: 1, remaining: 0, retryAfterMs: 0 },
        warnLimitStoreDown(context.logger),
      )
      if (!first.allowed) throw new GatewayError(401, 'unauthorized', 'This Telegram sign-in was already used: sign in again')
      const outcome = await completeExternalSignIn(context, settings, telegramIdentity(body), {
        linkUserId: link && actor ? actor.id : null,
        clientIp,
        secure: isSecureRequest(request),
      })
      const answer = outcomeAsJson(outcome, settings, redirect)
      if (answer.cookies.length > 0) set.headers['set-cookie'] = answer.cookies as unknown as string
      set.status = answer.status
      return answer.body
    },
    {
      ...access(
        'public',
        {
          operationId: 'signInWithTelegram',
          tags: ['auth'],
          summary: 'Sign in (or link, with link=1 while signed in) with Telegram Login Widget data; sets the session cookie',
        },
        TelegramLoginRequest,
      ),
      query: t.Object({
        redirect: t.Optional(t.String({ maxLength: 2048, description: 'A path on this site, echoed back as `redirect`' })),
        link: t.Optional(
          t.Union([t.Literal('1'), t.Literal('0'), t.Literal('true'), t.Literal('false')], {
            description: '1: link the Telegram account to the signed-in user',
          }),
        ),
      }),
      response: withErrors({ 200: ExternalSignInResponse }),
    },
  )
}
