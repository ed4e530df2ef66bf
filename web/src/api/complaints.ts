// 投诉举报 (complaints with tracking codes), 双随机抽查 (random spot checks with a committed
// seed) and 问责 (accountability cases). One call per route of internal/oversight
// http_complaints.go, http_spot.go and http_cases.go; shapes follow the contract's json names.
import { buildURL, get, post } from './client'
import type { AuditEvent, Page } from './types'

export const complaintCategories = ['funds', 'identification', 'project', 'conduct', 'visit', 'other'] as const
export type ComplaintCategory = (typeof complaintCategories)[number]

export const complaintChannels = ['portal', 'field', 'kiosk', 'hotline', 'staff'] as const
export type ComplaintChannel = (typeof complaintChannels)[number]

export const complaintStatuses = ['received', 'assigned', 'replied', 'closed'] as const
export type ComplaintStatus = (typeof complaintStatuses)[number]

export const satisfactions = ['satisfied', 'basic', 'unsatisfied'] as const

/** The roles a complaint can be handed to (those holding complaint.handle). */
export const handlingRoles = ['poverty_office', 'village_cadre', 'civil_affairs', 'finance', 'department', 'discipline'] as const

export interface ComplaintRow {
  id: number
  tracking_code: string
  channel: ComplaintChannel | string
  anonymous: boolean
  /** "" when anonymous; masked in lists */
  complainant_name: string
  /** masked (138****1234) in lists */
  complainant_phone: string
  category: ComplaintCategory | string
  category_label?: string
  entity_type: string
  entity_ref: string
  region_code: string
  region_name: string
  subject: string
  content: string
  repeat_no: number
  status: ComplaintStatus | string
  department: string
  department_label: string
  assignee_id: number | null
  assignee_name: string
  deadline: string | null
  overdue: boolean
  overdue_days: number
  reply: string
  replied_at: string | null
  satisfaction: string
  misconduct: boolean
  forwarded_at: string | null
  alert_id: number | null
  closed_at: string | null
  version: number
  created_at: string
}

export interface ComplaintDetail extends ComplaintRow {
  same_matter: ComplaintRow[] | null
  history: AuditEvent[] | null
  cases: CaseRow[] | null
}

export interface ComplaintQuery {
  region?: string
  status?: ComplaintStatus | 'pending' | ''
  category?: string
  overdue?: '1'
  repeat?: '1'
  misconduct?: '1'
  mine?: '1'
  after?: string | null
  limit?: number
}

export interface ComplaintStats {
  total: number
  pending: number
  overdue: number
  by_status: Record<string, number> | null
  by_category: Record<string, number> | null
  repeat: number
  /** complaints with a satisfaction rating */
  rated?: number
  /** 0–1 of the rated ones */
  satisfied_rate: number
}

/** 登记来电/来访: hotline and staff entries (field for helpers lodging for a villager). */
export interface ComplaintInput {
  channel: 'hotline' | 'staff' | 'field'
  anonymous: boolean
  name: string
  phone: string
  category: string
  region_code: string
  subject: string
  content: string
  entity_ref?: string
}

/** What lodging answers: the code the complainant follows the complaint by. */
export interface LodgeResult {
  id: number
  tracking_code: string
  deadline: string
  repeat_no?: number
}

export interface AssignInput {
  department: string
  assignee_id?: number
  /** working days, default 15 */
  deadline_days?: number
  version: number
}

/** What anyone with the tracking code sees (no complainant details). */
export interface PublicComplaint {
  tracking_code: string
  status: string
  category: string
  subject: string
  created_at: string
  deadline: string | null
  reply: string
  replied_at: string | null
  satisfaction: string
}

export const complaintsApi = {
  list: (q: ComplaintQuery) => get<Page<ComplaintRow>>('/complaints', { ...q }),
  stats: (q: ComplaintQuery) => get<ComplaintStats>('/complaints/stats', { ...q, after: undefined, limit: undefined }),
  get: (id: number) => get<ComplaintDetail>(`/complaints/${id}`, undefined, { quiet: true }),
  create: (input: ComplaintInput) => post<LodgeResult>('/complaints', input, { quiet: true }),
  assign: (id: number, input: AssignInput) => post<ComplaintDetail>(`/complaints/${id}/assign`, input, { quiet: true }),
  reply: (id: number, reply: string, version: number) => post<ComplaintDetail>(`/complaints/${id}/reply`, { reply, version }, { quiet: true }),
  close: (id: number, version: number) => post<ComplaintDetail>(`/complaints/${id}/close`, { version }, { quiet: true }),
  forward: (id: number, note: string, version: number) => post<ComplaintDetail>(`/complaints/${id}/forward`, { note, version }, { quiet: true }),
  track: (code: string) => get<PublicComplaint>(`/public/complaints/${encodeURIComponent(code)}`, undefined, { quiet: true }),
}

// ---- 问责 ----
export const caseHandlings = ['talk', 'criticism', 'admonish', 'party', 'government', 'judicial'] as const

export interface CaseRow {
  id: number
  region_code: string
  region_name?: string
  person_name: string
  person_position: string
  person_unit: string
  violation: string
  handling: string
  handling_label?: string
  decided_on: string
  alert_id: number | null
  complaint_id: number | null
  /** the linked complaint's tracking code, "" when none */
  complaint_tracking_code?: string
  note: string
  created_by: number
  created_by_name?: string
  created_at: string
}

export interface CaseInput {
  region_code: string
  person_name: string
  person_position: string
  person_unit: string
  violation: string
  handling: string
  decided_on: string
  alert_id?: number
  complaint_id?: number
  note: string
}

export const casesApi = {
  list: (q: { region?: string; after?: string | null; limit?: number }) => get<Page<CaseRow>>('/cases', { ...q }),
  get: (id: number) => get<CaseRow>(`/cases/${id}`),
  create: (input: CaseInput) => post<CaseRow>('/cases', input, { quiet: true }),
}

// ---- 双随机抽查 ----
export type TargetKind = 'household' | 'payment' | 'project'

export interface SpotFilter {
  status?: string
  household_type?: string
  fund_id?: number
  item_id?: number
  period?: string
  from?: string
  to?: string
  /** project plans: household | carrier | village */
  kind?: string
  /** project plans: the current stage, 0-8, or 9 when every stage is signed */
  stage?: number
  /** project plans: the project's year */
  year?: number
}

export interface SpotPerson {
  user_id: number
  name: string
}

export interface SpotTarget {
  pos: number
  target_id: number
  label: string
  region_code: string
  region_name?: string
  inspectors: SpotPerson[] | null
  result: '' | 'ok' | 'problem' | string
  finding: string
  recorded_at: string | null
}

export interface SpotPlan {
  id: number
  title: string
  region_code: string
  region_name?: string
  target_kind: TargetKind | string
  filter: SpotFilter | null
  sample_size: number
  inspectors_per_target: number
  inspectors: SpotPerson[] | null
  population_count: number
  population_hash: string
  seed_hash: string
  /** null until drawn */
  seed: string | null
  status: 'committed' | 'drawn' | 'closed' | string
  created_by: number
  created_by_name?: string
  created_at: string
  drawn_at: string | null
  closed_at?: string | null
  /** targets with a result, and those with a problem */
  recorded?: number
  problems?: number
  targets: SpotTarget[] | null
}

export interface SpotPlanInput {
  title: string
  region_code: string
  target_kind: TargetKind
  filter: SpotFilter
  sample_size: number
  inspectors_per_target: number
  inspector_ids: number[]
}

export interface InspectorCandidate {
  user_id: number
  name: string
  role: string
  role_label: string
  scope_code: string
}

export interface SpotPopulation {
  plan_id: number
  target_kind: string
  population_hash: string
  count: number
  ids: number[]
}

export interface SpotVerify {
  seed_matches_hash: boolean
  population_matches_hash: boolean
  sample_matches: boolean
  /** the inspectors drawn again match too (when the server checks them) */
  inspectors_match?: boolean
  recomputed: number[] | null
}

export const spotApi = {
  list: (q: { region?: string; after?: string | null; limit?: number }) => get<Page<SpotPlan>>('/spot-plans', { ...q }),
  get: (id: number) => get<SpotPlan>(`/spot-plans/${id}`, undefined, { quiet: true }),
  create: (input: SpotPlanInput) => post<SpotPlan>('/spot-plans', input, { quiet: true }),
  inspectors: (region: string) => get<InspectorCandidate[] | { items: InspectorCandidate[] }>('/spot-plans/inspectors', { region }),
  draw: (id: number) => post<SpotPlan>(`/spot-plans/${id}/draw`, {}),
  population: (id: number) => get<SpotPopulation>(`/spot-plans/${id}/population`),
  finding: (id: number, pos: number, result: 'ok' | 'problem', finding: string) =>
    post<SpotPlan>(`/spot-plans/${id}/targets/${pos}`, { result, finding }, { quiet: true }),
  close: (id: number) => post<SpotPlan>(`/spot-plans/${id}/close`, {}),
  verify: (id: number) => get<SpotVerify>(`/spot-plans/${id}/verify`),
  populationURL: (id: number) => buildURL(`/spot-plans/${id}/population`),
}
