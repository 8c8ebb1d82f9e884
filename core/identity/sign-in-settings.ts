import { Elysia } from 'elysia'
import { SignInSettingsPatch, SignInSettingsView } from '../../schemas/admin/sign-in.ts'
import { access, apiBase, withErrors } from '../http/api-base.ts'
import type { IdentityDeps } from './deps.ts'
import { requestOrigin } from './oauth-state.ts'
import { toSignInSettingsView } from './sign-in-settings-store.ts'

const tags = ['sign-in-settings']

/** The names of the fields a patch touches (`github.clientId`), secrets included by name only, for the audit log. */
export function patchedFields(patch: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(patch).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? patchedFields(value as Record<string, unknown>, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  )
}

/** Sign-in providers and registration (admin+); secrets are write-only. */
export function signInSettingsRoutes(deps: IdentityDeps) {
  const { context } = deps
  return new Elysia()
    .use(apiBase(deps))
    .get('/auth/settings', async ({ request }) => toSignInSettingsView(await deps.signIn.get(), requestOrigin(request)), {
      ...access('admin', {
        operationId: 'getSignInSettings',
        tags,
        summary: 'Sign-in providers and registration settings (client secrets and the bot token only as "set")',
      }),
      response: withErrors({ 200: SignInSettingsView }),
    })
    .patch(
      '/auth/settings',
      async ({ actor: me, body, request }) => {
        const updated = await deps.signIn.update(body)
        const fields = patchedFields(body).sort()
        context.logWriter.write({
          type: 'manage',
          userId: me.id,
          username: me.username,
          content: `sign-in settings changed: ${fields.join(', ')}`,
          details: { fields },
        })
        return toSignInSettingsView(updated, requestOrigin(request))
      },
      {
        ...access(
          'admin',
          { operationId: 'updateSignInSettings', tags, summary: 'Change sign-in settings; a provider section without its secret keeps the stored one' },
          SignInSettingsPatch,
        ),
        response: withErrors({ 200: SignInSettingsView }),
      },
    )
}
