// Cross-checks (信息比对): external datasets, versioned rules, runs, doubts (疑点) and their
// verification (核查), and households' authorisations (授权委托书). One call per route of
// internal/crosscheck/http.go; shapes follow the Go json tags there.
import { get, post, put } from './client'
import { upload, type UploadOptions } from './upload'
import type { AuditEvent, Page, RegionLevel } from './types'

export type DatasetKind =
  | 'vehicle'
  | 'farm_machinery'
  | 'social_insurance'
  | 'housing_fund'
  | 'tax'
  | 'real_estate'
  | 'deposit'
  | 'securities'
  | 'business'
  | 'public_employee'
  | 'death'
  | 'cadre_relative'

/** Column types of a dataset kind (Go iota): 0 text, 1 date, 2 money, 3 int, 4 float, 5 enum. */
export type ColumnType = 0 | 1 | 2 | 3 | 4 | 5

export interface KindColumn {
  name: string
  label: string
  aliases?: string[]
  required: boolean
  type: ColumnType
  values?: string[]
  value_labels?: Record<string, string>
  value_aliases?: Record<string, string>
}

export interface KindSpec {
  kind: DatasetKind | string
  label: string
  columns: KindColumn[]
}

export interface CheckInfo {
  check: string
  label: string
  kinds: string[]
  scope: 'member' | 'household' | string
  data_error: boolean
  params: string[]
  placeholders: string[]
}

export interface Catalogue {
  kinds: KindSpec[]
  checks: CheckInfo[]
}

export interface RowError {
  line: number
  column: string
  code: string
  reason: string
}

export interface ScanReport {
  format: string
  encoding: string
  bytes: number
  rows: number
  matched: number
  rejected: number
  errors: RowError[] | null
  header: string[] | null
}

export interface Dataset {
  id: number
  kind: DatasetKind | string
  kind_label: string
  sha256: string
  file_name: string
  format: string
  size: number
  source_dept: string
  as_of: string
  rows: number
  matched: number
  rejected: number
  region_code: string
  created_by: number
  created_at: string
  existing?: boolean
  rejected_rows?: RowError[]
  file_missing?: boolean
  /** 已停用: not offered for new runs; kept, with its file, for the runs that read it */
  retired: boolean
  retired_at: string | null
  retired_by: number | null
  retired_reason: string
}

export interface DatasetInput {
  kind: string
  source_dept: string
  as_of: string
}

export interface RunDataset {
  id: number
  kind: string
  sha256: string
  as_of: string
  file_name: string
}

export interface RunInfo {
  id: number
  region_code: string
  status: 'running' | 'done' | 'failed' | string
  ruleset_id: number
  ruleset_version: number
  datasets: RunDataset[] | null
  include_unauthorised: boolean
  households: number
  members: number
  skipped_unauthorised: number
  rows_scanned: number
  rows_matched: number
  rows_rejected: number
  doubts_found: number
  doubts_new: number
  doubts_repeated: number
  doubts_updated: number
  doubts_suppressed: number
  error: string
  started_by: number
  started_by_name: string
  started_at: string
  finished_at: string | null
  duration_ms: number
}

export interface RunInput {
  dataset_ids: number[]
  include_unauthorised: boolean
  region?: string
}

/** A dataset registration or a run working in the background (GET /crosscheck/jobs/{id}). */
export interface CrosscheckJob {
  id: string
  kind: 'dataset' | 'run' | string
  state: 'running' | 'done' | 'failed' | string
  file?: string
  bytes_read: number
  bytes_total: number
  rows: number
  matched: number
  file_index: number
  files: number
  phase: 'scanning' | 'writing' | 'done' | string
  dataset_id?: number
  run_id?: number
  dataset?: Dataset
  run?: RunInfo
  report?: ScanReport
  error?: { code: string; message: string }
}

export interface RuleParams {
  exclude_types?: string[]
  include_types?: string[]
  min_value_fen?: number
  line_fen?: number
  months?: number
  standard_fen?: number
  region_standard_fen?: Record<string, number>
  max_count?: number
  grace_days?: number
  since?: string
}

export interface Rule {
  key: string
  check: string
  kind: string
  label: string
  scope: 'member' | 'household' | string
  params: RuleParams
  explain: string
  enabled: boolean
  data_error: boolean
}

export interface RuleSetInfo {
  id: number
  region_code: string
  version: number
  inherited: boolean
  rules: Rule[]
  note: string
  created_by: string
  created_at: string | null
}

export type DoubtStatus = 'open' | 'dispatched' | 'confirmed' | 'explained' | 'data_error'

export interface DoubtRow {
  id: number
  run_id: number
  last_run_id: number
  household_id: number
  household_no: string
  head_name: string
  member_id: number
  member_name: string
  member_id_number_masked: string
  region_code: string
  region_name: string
  rule_key: string
  rule_label: string
  data_error: boolean
  explanation: string
  status: DoubtStatus | string
  helper_id: number | null
  helper_name: string
  helper_phone: string
  deadline: string | null
  dispatched_at: string | null
  closed_at: string | null
  outcome_reason: string
  overdue: boolean
  overdue_days: number
  version: number
  created_at: string
  updated_at: string
}

export interface EvidenceView {
  dataset_id: number
  kind: string
  kind_label: string
  source_dept: string
  as_of: string
  file_name: string
  line: number
  fields: Record<string, string>
}

export interface DoubtDetail extends DoubtRow {
  /** as the API gives it: masked unless the reader may see ID numbers */
  member_id_number: string
  evidence: EvidenceView[] | null
  evidence_hash: string
  dispatch_note: string
  attachment_id: number | null
  procedure_id: number | null
  prev_doubt_id: number | null
  history: AuditEvent[] | null
}

export interface DoubtQuery {
  region?: string
  status?: DoubtStatus | 'pending' | ''
  rule?: string
  run?: number | string
  household_id?: number | string
  overdue?: '1' | ''
  after?: string | null
  limit?: number
}

export interface DoubtCounts {
  total: number
  open: number
  dispatched: number
  overdue: number
  confirmed: number
  explained: number
  data_error: number
}

export interface RegionRef {
  code: string
  name: string
  level: RegionLevel | string
}

export interface DoubtStats {
  region: RegionRef
  total: DoubtCounts
  children: (RegionRef & DoubtCounts)[] | null
  rules: ({ rule_key: string; rule_label: string } & DoubtCounts)[] | null
}

export interface DispatchInput {
  deadline_days: number
  note: string
  version: number
}

export type Outcome = 'confirmed' | 'explained' | 'data_error'

export interface OutcomeInput {
  outcome: Outcome
  reason: string
  attachment_id?: number
  version: number
}

export interface Authorisation {
  id: number
  household_id: number
  region_code: string
  signed_on: string
  attachment_id: number
  attachment_name: string
  note: string
  recorded_by: number
  created_at: string
  revoked_on: string | null
  revoked_reason: string
  active: boolean
}

export interface AuthorisationInput {
  signed_on: string
  attachment_id: number
  note: string
}

export interface UnauthorisedRow {
  household_id: number
  household_no: string
  head_name: string
  region_code: string
  region_name: string
  status: string
  last_revoked_on: string | null
}

const enc = encodeURIComponent

export const crosscheckApi = {
  catalogue: () => get<Catalogue>('/crosscheck/kinds'),

  /** active: '1' leaves out retired datasets (what a new run may read). */
  datasets: (q: { kind?: string; active?: '1'; after?: string | null; limit?: number }) => get<Page<Dataset>>('/datasets', { ...q }),
  dataset: (id: number) => get<Dataset>(`/datasets/${id}`),
  retireDataset: (id: number, reason: string) => post<Dataset>(`/datasets/${id}/retire`, { reason }, { quiet: true }),
  // The fields go before the file, so the server refuses a bad kind before copying gigabytes.
  addDataset: (input: DatasetInput, file: File, opts: UploadOptions = {}) => {
    const f = new FormData()
    f.append('kind', input.kind)
    f.append('source_dept', input.source_dept)
    f.append('as_of', input.as_of)
    f.append('file', file, file.name)
    return upload<CrosscheckJob>('/datasets', f, opts)
  },
  job: (id: string) => get<CrosscheckJob>(`/crosscheck/jobs/${enc(id)}`, undefined, { quiet: true }),

  rules: (region?: string) => get<RuleSetInfo>('/crosscheck/rules', { region }),
  ruleVersions: (region?: string) => get<RuleSetInfo[]>('/crosscheck/rules/versions', { region }),
  setRules: (rules: Rule[], note: string) => put<RuleSetInfo>('/crosscheck/rules', { rules, note }, { quiet: true }),

  startRun: (input: RunInput) => post<CrosscheckJob>('/crosscheck/runs', input, { quiet: true }),
  runs: (q: { region?: string; after?: string | null; limit?: number }) => get<Page<RunInfo>>('/crosscheck/runs', { ...q }),
  run: (id: number) => get<RunInfo>(`/crosscheck/runs/${id}`),

  doubts: (q: DoubtQuery) => get<Page<DoubtRow>>('/doubts', { ...q }),
  /** The counts of the doubts the list's filters select (paging ignored). */
  stats: (q: Omit<DoubtQuery, 'after' | 'limit'>) => get<DoubtStats>('/doubts/stats', { ...q }),
  exportURL: (q: DoubtQuery, format: 'csv' | 'xlsx') => {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries({ ...q, after: undefined, limit: undefined, format })) {
      if (v !== undefined && v !== null && v !== '') qs.set(k, String(v))
    }
    return '/api/v1/doubts/export?' + qs.toString()
  },
  doubt: (id: number) => get<DoubtDetail>(`/doubts/${id}`),
  dispatch: (id: number, input: DispatchInput) => post<DoubtDetail>(`/doubts/${id}/dispatch`, input, { quiet: true }),
  outcome: (id: number, input: OutcomeInput) => post<DoubtDetail>(`/doubts/${id}/outcome`, input, { quiet: true }),

  authorisations: (householdId: number) => get<Authorisation[]>(`/households/${householdId}/authorisations`),
  addAuthorisation: (householdId: number, input: AuthorisationInput) =>
    post<Authorisation>(`/households/${householdId}/authorisations`, input, { quiet: true }),
  revokeAuthorisation: (id: number, on: string, reason: string) =>
    post<Authorisation>(`/authorisations/${id}/revoke`, { on, reason }, { quiet: true }),
  unauthorised: (q: { region?: string; after?: string | null; limit?: number }) =>
    get<Page<UnauthorisedRow>>('/authorisations/missing', { ...q }),
}
