// The responsibility (精准帮扶 / 帮扶责任) endpoints: helpers, their households and
// the coverage check (/tmp spec: duty-api.md).
import { get, post, put } from './client'
import type { AuditEvent, HouseholdRow, Page } from './types'

export interface HelperRow {
  id: number
  name: string
  id_number_masked: string
  phone: string
  employer: string
  position: string
  party_member: boolean
  region_code: string
  region_name: string
  active: boolean
  /** current assignments */
  households: number
}

export interface HelperInput {
  id_number: string
  name: string
  phone: string
  employer: string
  position: string
  party_member: boolean
}

export interface Helper extends HelperInput {
  id: number
  region_code: string
  active: boolean
  /** the linked phone (field app) account: 0 / "" when none */
  user_id?: number
  username?: string
}

export interface HelperHousehold {
  household_id: number
  household_no: string
  head_name: string
  region_code: string
  village_name: string
  status: string
  from_date: string
}

export interface HelperDetail {
  helper: Helper
  households: HelperHousehold[]
  history: AuditEvent[]
}

export interface Assignment {
  id: number
  household_id: number
  helper_id: number
  region_code: string
  from_date: string
  to_date: string | null
}

export interface Coverage {
  region_code: string
  max_load: number
  registered: number
  covered: number
  without_helper: HouseholdRow[]
  without_helper_total: number
  overloaded: { helper: HelperRow; households: number }[]
  /** weak and 软弱涣散 villages under the region */
  weak_villages: number
  /** those of them with neither a work team nor a first secretary */
  weak_uncovered: { code: string; name: string; weak_level: string; weak_lax: boolean }[]
}

export interface HelperQuery {
  region?: string
  q?: string
  active?: '1' | '0' | ''
  after?: string | null
  limit?: number
}

export const dutyApi = {
  helpers: (q: HelperQuery) => get<Page<HelperRow>>('/helpers', { ...q }),
  // For pickers: quiet, active helpers matching q.
  search: (q: string, region?: string) =>
    get<Page<HelperRow>>('/helpers', { q, region, active: '1', limit: 20 }, { quiet: true }).then((p) => p.items ?? []),
  helper: (id: number) => get<HelperDetail>(`/helpers/${id}`),
  create: (h: HelperInput) => post<Helper>('/helpers', h, { quiet: true }),
  update: (id: number, helper: HelperInput, active: boolean) => put<Helper>(`/helpers/${id}`, { helper, active }, { quiet: true }),
  assign: (householdId: number, helper_id: number, from_date: string, reason: string) =>
    post<Assignment>(`/households/${householdId}/helper`, { helper_id, from_date, reason }, { quiet: true }),
  reassign: (id: number, to_helper_id: number, from_date: string, reason: string) =>
    post<{ moved: number }>(`/helpers/${id}/reassign`, { to_helper_id, from_date, reason }, { quiet: true }),
  coverage: (region: string, max_load: number) => get<Coverage>('/duty/coverage', { region, max_load }),
}

// 驻村力量 and 责任领导 (/tmp spec: duty-villages-api.md).
export interface TeamMember {
  name: string
  phone: string
  employer: string
  position: string
}

export interface WorkTeam {
  id: number
  region_code: string
  name: string
  dispatching_unit: string
  leader_name: string
  leader_phone: string
  members: TeamMember[] | null
  from_date: string
  to_date: string | null
}

export interface WorkTeamInput {
  region_code: string
  name: string
  dispatching_unit: string
  leader_name: string
  leader_phone: string
  members: TeamMember[]
  from_date: string
}

export interface Secretary {
  id: number
  region_code: string
  name: string
  id_number_masked: string
  phone: string
  dispatching_unit: string
  position: string
  term_from: string
  term_to: string | null
}

export interface SecretaryInput {
  region_code: string
  name: string
  id_number: string
  phone: string
  dispatching_unit: string
  position: string
  term_from: string
  term_to: string
}

export interface VillageDuty {
  code: string
  name: string
  weak_level: '' | 'province_200' | 'province_60' | 'city' | 'county'
  weak_lax: boolean
  covered: boolean
  teams: WorkTeam[] | null
  secretaries: Secretary[] | null
}

export interface Leader {
  id: number
  region_code: string
  region_name: string
  name: string
  position: string
  phone: string
  from_date: string
  to_date: string | null
}

export interface LeaderInput {
  region_code: string
  name: string
  position: string
  phone: string
  from_date: string
}

// A list endpoint answers a bare array (or, to be safe, {items}).
const list = <T>(r: T[] | { items: T[] | null } | null): T[] => (Array.isArray(r) ? r : (r?.items ?? []))

export const villagesApi = {
  villages: (region: string, uncovered: boolean) =>
    get<VillageDuty[] | { items: VillageDuty[] }>('/duty/villages', { region, uncovered: uncovered ? '1' : undefined }).then(list),
  createTeam: (t: WorkTeamInput) => post<WorkTeam>('/work-teams', t, { quiet: true }),
  endTeam: (id: number, to_date: string) => post<WorkTeam>(`/work-teams/${id}/end`, { to_date }, { quiet: true }),
  createSecretary: (s: SecretaryInput) => post<Secretary>('/first-secretaries', s, { quiet: true }),
  leaders: (region: string) => get<Leader[] | { items: Leader[] }>('/leaders', { region }).then(list),
  createLeader: (l: LeaderInput) => post<Leader>('/leaders', l, { quiet: true }),
  endLeader: (id: number, to_date: string) => post<Leader>(`/leaders/${id}/end`, { to_date }, { quiet: true }),
}
