// The signed-in user, shared by the whole console. The session itself is the
// HttpOnly cookie; this only mirrors /auth/me for the UI.
import { computed, reactive } from 'vue'
import { authApi, setCsrfToken, type Session, type User } from './api'
import { menuFor } from './utils/menu'

interface State {
  user: User | null
  permissions: string[]
  checked: boolean
}

export const session = reactive<State>({ user: null, permissions: [], checked: false })

export const menu = computed(() => menuFor(session.permissions))

export function can(permission: string): boolean {
  return session.permissions.includes(permission)
}

export function applySession(s: Session) {
  session.user = s.user
  session.permissions = s.permissions ?? []
  session.checked = true
  setCsrfToken(s.csrf_token ?? '')
}

export function clearSession() {
  session.user = null
  session.permissions = []
  session.checked = true
  setCsrfToken('')
}

// Ask the server once per page load who we are; a 401 just means "not signed in".
export async function ensureSession(): Promise<boolean> {
  if (session.checked) return session.user !== null
  try {
    applySession(await authApi.me())
  } catch {
    clearSession()
  }
  return session.user !== null
}

export async function login(username: string, password: string) {
  applySession(await authApi.login(username, password))
}

export async function logout() {
  try {
    await authApi.logout()
  } finally {
    clearSession()
  }
}
