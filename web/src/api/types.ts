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

// ---- Registry (精准识别): internal/registry/types.go and procedure.go ----
export type HouseholdType = 'dibao' | 'tekun' | 'general'
export type GuaranteeValue = 'ok' | 'gap' | 'na'
export type GuaranteeName = 'food' | 'education' | 'medical' | 'housing' | 'water'

export interface Guarantees {
  food: GuaranteeValue | string
  education: GuaranteeValue | string
  medical: GuaranteeValue | string
  housing: GuaranteeValue | string
  water: GuaranteeValue | string
}

export interface Income {
  year: number
  per_capita_fen: number
  wage_fen: number
  production_fen: number
  property_fen: number
  transfer_fen: number
}

// One row of the household list (head's ID number masked).
export interface HouseholdRow extends Household {
  causes: string[]
  gaps: string[]
}

// The full record, as the household file shows it.
export interface HouseholdRecord {
  id: number
  household_no: string
  region_code: string
  region_name: string
  group_name: string
  head_name: string
  head_id_number: string
  address: string
  phone: string
  household_type: HouseholdType | string
  causes: string[]
  bank: string
  account_no: string
  income: Income
  guarantees: Guarantees
  status: HouseholdStatus
  registered_on: string
  exited_on: string
  policy_until: string
  removed_on: string
  returns: number
  members_count: number
  version: number
  source: string
  created_at: string
  updated_at: string
}

export interface Member {
  id: number
  household_id: number
  id_number: string
  name: string
  relation: string
  sex: 'male' | 'female' | string
  birth_date: string
  health: string
  disability_grade: number
  labour: string
  in_school: boolean
  medical_insurance: boolean
  deceased_on: string
  active: boolean
  left_on: string
  left_reason: string
}

export interface HouseholdInput {
  household_no: string
  region_code: string
  group_name: string
  head_name: string
  head_id_number: string
  address: string
  phone: string
  household_type: HouseholdType | string
  causes: string[]
  bank: string
  account_no: string
  income: Income
  guarantees: Guarantees
}

export interface MemberInput {
  id_number: string
  name: string
  relation: string
  health: string
  disability_grade: number
  labour: string
  in_school: boolean
  medical_insurance: boolean
  deceased_on: string
}

export interface HelperRef {
  id: number
  name: string
  phone: string
  employer: string
  position: string
  from_date: string
}

export type ProcKind = 'registration' | 'exit' | 'removal' | 'return'
export type ProcStatus = 'open' | 'done' | 'cancelled'

export interface ProcStep {
  key: string
  label: string
  role: string
  level: '' | RegionLevel
  publicity_days: number
}

export interface Attachment {
  id: number
  sha256: string
  name: string
  content_type: string
  size: number
  created_at: string
}

export interface Signature {
  id: number
  step: number
  step_key: string
  decision: 'approve' | 'reject'
  opinion: string
  back_to: number | null
  user_id: number
  user_name: string
  role: string
  attachment_id: number | null
  attachment: Attachment | null
  at: string
}

export interface Notice {
  id: number
  procedure_id: number
  step: number
  region_code: string
  title: string
  body: string
  starts_at: string
  ends_at: string
  created_by: number
}

export interface Objection {
  id: number
  notice_id: number
  procedure_id: number
  content: string
  contact: string
  lodged_by: number
  lodged_at: string
  answer: string
  answered_by: number
  answered_at: string
}

export interface Procedure {
  id: number
  household_id: number
  household_no: string
  head_name: string
  region_code: string
  region_name: string
  kind: ProcKind
  def_version: number
  status: ProcStatus
  step: number
  steps: ProcStep[]
  reason: string
  started_by: number
  started_at: string
  finished_at: string
  updated_at: string
  signatures: Signature[]
  notices: Notice[]
  objections: Objection[]
  can_sign: boolean
  blocked: string
}

export interface SignInput {
  decision: 'approve' | 'reject'
  opinion: string
  back_to?: number
  attachment_id?: number
}

export interface HouseholdFile {
  household: HouseholdRecord
  members: Member[]
  helper: HelperRef | null
  procedures: Procedure[]
  history: AuditEvent[]
}

export interface IncomeLine {
  year: number
  region_code: string
  line_fen: number
}

export interface AdjustmentItem {
  household: HouseholdRow
  reason: string
  code: string
  /** procedure already under way for the household (0 if none): no new exit until it ends */
  open_procedure: number
}

export interface Adjustment {
  year: number
  line_fen: number
  exits: AdjustmentItem[]
  rechecks: AdjustmentItem[]
}

export interface RegistryCounts {
  households: number
  registered: number
  applying: number
  exited: number
  removed: number
  members: number
}

export interface RegistryStats {
  region_code: string
  children: { code: string; name: string; counts: RegistryCounts }[]
  totals: RegistryCounts
  by_type: Record<string, number>
  by_cause: Record<string, number>
  gaps: Record<string, number>
}

// ---- Import / export (internal/exchange) ----
export interface ExchangeColumn {
  name: string
  label: string
  required: boolean
}

export interface ExchangeKind {
  name: string
  label: string
  can_import: boolean
  can_export: boolean
  columns: ExchangeColumn[]
}

export interface RejectedRow {
  line: number
  column: string
  reason: string
  code?: string
}

export interface ImportReport {
  kind: string
  file: string
  sha256: string
  rows: number
  inserted: number
  updated: number
  unchanged: number
  rejected: RejectedRow[] | null
  rejected_total?: number
  committed: boolean
}

export interface ImportJob {
  id: number | string
  kind: string
  file: string
  state: 'running' | 'done' | 'failed'
  bytes_read: number
  bytes_total: number
  rows: number
  report?: ImportReport | null
  error?: { code: string; message: string } | null
}
