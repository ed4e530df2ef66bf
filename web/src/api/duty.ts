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
