// Shapes of the API (docs/api.md). Money is integer fen, times UTC RFC 3339.
export type Role =
  | 'admin'
  | 'poverty_office'
  | 'village_cadre'
  | 'helper'
  | 'civil_affairs'
  | 'finance'
  | 'department'
  | 'auditor'
  | 'discipline'
  | 'participant'

export interface User {
  id: number
  username: string
  display_name: string
  role: Role | string
  scope_code: string
  scope_name: string
  disabled: boolean
  created_at: string
  last_login_at: string | null
}

export interface Session {
  user: User
  permissions: string[]
  csrf_token: string
}

export type RegionLevel = 'city' | 'county' | 'town' | 'village'
export type WeakLevel = '' | 'province_200' | 'province_60' | 'city' | 'county'

export interface Region {
  code: string
  name: string
  level: RegionLevel
  parent_code: string
  weak_level: WeakLevel
  weak_lax: boolean
  area: string
  children_count: number
}

export interface RegionPatch {
  name?: string
  weak_level?: WeakLevel
  weak_lax?: boolean
  area?: string
}

export interface DashboardTotals {
  households: number
  registered: number
  applying: number
  exited: number
  removed: number
  members: number
  villages: number
  weak_villages: number
  lax_villages?: number
}

export interface DashboardChild {
  code: string
  name: string
  registered: number
  exited: number
  members: number
  households: number
  applying?: number
  removed?: number
}

export interface Dashboard {
  region: Region
  totals: DashboardTotals
  children: DashboardChild[]
}

export type HouseholdStatus = 'applying' | 'registered' | 'exited' | 'removed'

export interface Household {
  id: number
  household_no: string
  region_code: string
  village_name: string
  head_name: string
  head_id_masked: string
  status: HouseholdStatus
  household_type: string
  members_count: number
  income_per_capita_fen: number
  income_year: number
}

export interface AuditEvent {
  seq: number
  at: string
  actor_id: number | null
  actor_name: string
  action: string
  entity_type: string
  entity_id: string | number
  region_code: string
  before: unknown
  after: unknown
  hash: string
}

export interface VerifyResult {
  ok: boolean
  checked: number
  first_broken?: { seq: number; reason: string } | null
}

export interface Token {
  id: number
  user_id: number
  name: string
  created_at: string
  expires_at: string | null
  revoked_at: string | null
  last_used_at: string | null
}

export interface NewToken {
  token: Token
  secret: string
}

export interface RoleInfo {
  role?: string
  name?: string
  code?: string
  label?: string
  permissions: string[]
}

export interface Page<T> {
  items: T[]
  next: string | null
}

export interface PageQuery {
  after?: string | null
  limit?: number
}
