import { reactive } from 'vue'
import { api } from '../api/client.ts'
import { unwrap } from '../api/errors.ts'

// Rows that name a user by id (API keys of every user, redeemed codes) show the username instead:
// each id is looked up once (admins only: GET /api/users/{id}) and kept for the visit.

const known = reactive(new Map<number, string>())
const pending = new Set<number>()

/** Usernames of user ids, loaded on demand; `name(id)` is `#id` until the answer comes. */
export function useUsernames() {
  function load(ids: Iterable<number | null | undefined>): void {
    for (const id of ids) {
      if (id === null || id === undefined || known.has(id) || pending.has(id)) continue
      pending.add(id)
      unwrap(api.GET('/api/users/{id}', { params: { path: { id } } }))
        .then((user) => known.set(id, user.username))
        .catch(() => known.set(id, `#${id}`))
        .finally(() => pending.delete(id))
    }
  }
  const name = (id: number | null | undefined) => (id === null || id === undefined ? '' : (known.get(id) ?? `#${id}`))
  return { load, name }
}
