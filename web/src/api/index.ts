// Typed functions, one per endpoint of docs/api.md.
import { del, get, patch, post } from './client'
import type {
  AuditEvent,
  Dashboard,
  Household,
  HouseholdStatus,
  NewToken,
  Page,
  PageQuery,
  Region,
  RegionPatch,
  RoleInfo,
  Session,
  Token,
  User,
  VerifyResult,
} from './types'

export * from './types'
export * from './duty'
export * from './visits'
export * from './assets'
export { ApiError, setCsrfToken, setUnauthorizedHandler } from './client'

const enc = encodeURIComponent

export const authApi = {
  login: (username: string, password: string) =>
    post<Session>('/auth/login', { username, password }, { quiet: true, noRedirect: true }),
  logout: () => post<void>('/auth/logout', undefined, { quiet: true, noRedirect: true }),
  me: () => get<Session>('/auth/me', undefined, { quiet: true, noRedirect: true }),
}

export const regionsApi = {
  get: (code: string) => get<Region>(`/regions/${enc(code)}`),
  children: (code: string) => get<{ items: Region[] }>(`/regions/${enc(code)}/children`),
  update: (code: string, p: RegionPatch) => patch<Region>(`/regions/${enc(code)}`, p),
}

export const dashboardApi = {
  get: (region: string) => get<Dashboard>('/dashboard', { region }),
}

export interface HouseholdQuery extends PageQuery {
  region?: string
  status?: HouseholdStatus | ''
  q?: string
}

export const householdsApi = {
  list: (q: HouseholdQuery) => get<Page<Household>>('/households', { ...q }),
}

export interface NewUser {
  username: string
  display_name: string
  role: string
  scope_code: string
  password: string
}

export interface UserPatch {
  display_name?: string
  role?: string
  scope_code?: string
  disabled?: boolean
}

export const usersApi = {
  list: (q: PageQuery & { q?: string }) => get<Page<User>>('/users', { ...q }),
  get: (id: number) => get<User>(`/users/${id}`),
  create: (u: NewUser) => post<User>('/users', u, { quiet: true }),
  update: (id: number, p: UserPatch) => patch<User>(`/users/${id}`, p, { quiet: true }),
  setPassword: (id: number, password: string) => post<void>(`/users/${id}/password`, { password }, { quiet: true }),
  tokens: (id: number) => get<{ items: Token[] } | Token[]>(`/users/${id}/tokens`),
  createToken: (id: number, name: string, expires_days: number) =>
    post<NewToken>(`/users/${id}/tokens`, { name, expires_days }, { quiet: true }),
  revokeToken: (tokenId: number) => del<void>(`/tokens/${tokenId}`),
}

export interface AuditQuery extends PageQuery {
  entity_type?: string
  entity_id?: string
  actor_id?: string
  action?: string
}

export const auditApi = {
  list: (q: AuditQuery) => get<Page<AuditEvent>>('/audit', { ...q }),
  verify: () => get<VerifyResult>('/audit/verify'),
}

export const rolesApi = {
  list: () => get<{ items: RoleInfo[] } | RoleInfo[]>('/roles'),
}

export * from './registry'
export * from './projects'
