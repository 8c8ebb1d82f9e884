import { createHash, createHmac } from 'node:crypto'
import { safeEqual } from '../security/crypto.ts'
import type { TelegramLoginRequest } from '../../schemas/admin/sign-in.ts'
import type { ExternalIdentity } from './oauth-providers.ts'

// Telegram Login Widget data is signed by Telegram with the bot's token: the hash is
// HMAC-SHA256(key = SHA256(bot token), message = every other field as `key=value`, sorted by key,
// joined with newlines), in hex. Data older than a day is refused, as Telegram advises.
// see https://core.telegram.org/widgets/login#checking-authorization

/** How old widget data may be. */
export const TELEGRAM_MAX_AGE_SECONDS = 86_400
/** Clock difference tolerated for data that seems to come from the future. */
const FUTURE_TOLERANCE_SECONDS = 300

/** The data-check string of widget data: fields but the hash, `key=value`, sorted, newline-separated. */
export function telegramCheckString(data: Record<string, string | number | undefined>): string {
  return Object.entries(data)
    .filter(([key, value]) => key !== 'hash' && value !== undefined)
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join('\n')
}

/** The hash Telegram puts on widget data for a bot token. */
export function telegramHash(data: Record<string, string | number | undefined>, botToken: string): string {
  const key = createHash('sha256').update(botToken).digest()
  return createHmac('sha256', key).update(telegramCheckString(data)).digest('hex')
}

/** Why widget data is refused, or undefined when it is genuine and fresh. Compares the hash in constant time. */
export function telegramLoginProblem(data: TelegramLoginRequest, botToken: string, now: Date): string | undefined {
  if (!safeEqual(telegramHash(data, botToken), data.hash.toLowerCase())) return "The Telegram sign-in data is not signed by this site's bot"
  const age = now.getTime() / 1000 - data.auth_date
  if (age > TELEGRAM_MAX_AGE_SECONDS) return 'The Telegram sign-in data is more than a day old: sign in again'
  if (age < -FUTURE_TOLERANCE_SECONDS) return 'The Telegram sign-in data is dated in the future'
  return undefined
}

/** The identity in verified widget data (Telegram shares no email address). */
export function telegramIdentity(data: TelegramLoginRequest): ExternalIdentity {
  const name = [data.first_name, data.last_name].filter(Boolean).join(' ')
  return {
    provider: 'telegram',
    subject: String(data.id),
    login: data.username ?? null,
    email: null,
    displayName: name || data.username || null,
    usernameHint: data.username ?? (name || `telegram-${data.id}`),
  }
}
