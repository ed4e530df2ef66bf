// 精准监督: the early-warning engine's rules and runs, the alerts it raises and their handling,
// 再监督 figures per department and the leadership cockpit. One call per route of
// internal/oversight (http_engine.go, http_alerts.go); shapes follow the Go json tags there.
// Complaints, spot checks and cases are in complaints.ts.
import { get, post, put } from './client'
import { upload, type UploadOptions } from './upload'
import type { AuditEvent, Page } from './types'

export type Severity = 'low' | 'medium' | 'high'
export type AlertStatus = 'open' | 'assigned' | 'verifying' | 'closed'
export type Light = '' | 'yellow' | 'orange' | 'red'
export type AlertOutcome = 'substantiated' | 'unfounded'
export type AlertCategory = 'registry' | 'visits' | 'crosscheck' | 'funds' | 'projects'

export const severities: Severity[] = ['high', 'medium', 'low']
export const alertStatuses: AlertStatus[] = ['open', 'assigned', 'verifying', 'closed']
export const lights: Exclude<Light, ''>[] = ['yellow', 'orange', 'red']
export const alertCategories: AlertCategory[] = ['registry', 'visits', 'crosscheck', 'funds']
// The roles an alert can be handed to (a rule's department).
export const alertDepartments = ['poverty_office', 'civil_affairs', 'finance', 'department', 'village_cadre']

export interface CheckInfo {
  check: string
  label: string
  category: AlertCategory | string
  params: string[] | null
  datasets?: string[] | null
}

export interface AlertParams {
  days?: number
  grace_days?: number
  margin_pct?: number
  min_fen?: number
  tolerance_fen?: number
  relations?: string[]
}

export interface AlertRule {
  key: string
  check: string
  label: string
  severity: Severity | string
  department: string
  deadline_days: number
  enabled: boolean
  params: AlertParams
}

export interface Escalation {
  yellow_days_before: number
  red_days_after: number
}

export interface AlertRuleSet {
  id: number
  region_code: string
  version: number
  inherited: boolean
  rules: AlertRule[]
  escalation: Escalation
  note: string
  created_by: string
  created_at: string | null
}

export interface AlertRun {
  id: number
  region_code: string
  mode: 'full' | 'incremental' | string
  status: 'running' | 'done' | 'failed' | string
  ruleset_version: number
  found: number
  new: number
  updated: number
  suppressed: number
  by_rule: Record<string, number> | null
  error: string
  started_by: string
  started_at: string
  finished_at: string | null
  duration_ms: number
}

export interface AlertRow {
  id: number
  alert_key: string
  rule_key: string
  rule_label: string
  category: AlertCategory | string
  severity: Severity | string
  department: string
  department_label: string
  region_code: string
  region_name: string
  entity_type: string
  entity_id: number
  household_id: number | null
  household_no: string
  head_name: string
  amount_fen: number
  explanation: string
  status: AlertStatus | string
  outcome: AlertOutcome | '' | string
  deadline: string
  light: Light | string
  overdue_days: number
  assignee_id: number | null
  assignee_name: string
  assigned_at: string | null
  closed_at: string | null
  version: number
  created_at: string
  updated_at: string
}

export interface AlertAttachment {
  id: number
  name: string
  size: number
  content_type: string
  sha256?: string
  added_at?: string
}

/** A case (问责) linked to an alert; the COMPLAINTS helper owns the full shape. */
export interface LinkedCase {
  id: number
  region_code?: string
  region_name?: string
  person_name?: string
  person_position?: string
  person_unit?: string
  violation?: string
  handling?: string
  decided_on?: string
  created_at?: string
}

export interface AlertDetail extends AlertRow {
  evidence: unknown
  findings: string
  assign_note: string
  prev_alert_id: number | null
  attachments: AlertAttachment[] | null
  history: AuditEvent[] | null
  cases: LinkedCase[] | null
}

export interface AlertQuery {
  region?: string
  status?: AlertStatus | 'pending' | ''
  category?: string
  rule?: string
  department?: string
  severity?: string
  light?: string
  household?: number | string
  mine?: '1' | ''
  after?: string | null
  limit?: number
}

export interface RegionFigures {
  code: string
  name: string
  total: number
  pending: number
  overdue: number
  closed: number
  amount_fen: number
}

export interface TrendPoint {
  month: string
  raised: number
  closed: number
}

export interface AlertStats {
  total: number
  pending: number
  overdue: number
  amount_fen: number
  by_status: Record<string, number> | null
  by_light: { yellow: number; orange: number; red: number } | null
  by_rule: { key: string; label: string; count: number }[] | null
  by_category: Record<string, number> | null
  by_region: RegionFigures[] | null
  trend: TrendPoint[] | null
}

export interface SupervisionRow {
  department: string
  department_label: string
  total: number
  pending: number
  overdue: number
  closed: number
  substantiated: number
  unfounded: number
  on_time_rate: number
  avg_days_to_close: number
}

export interface Cockpit {
  region: { code: string; name: string }
  alerts: { pending: number; overdue: number; red: number; raised_30d: number; closed_30d: number; substantiated_rate: number }
  complaints: { pending: number; overdue: number; month: number; satisfied_rate: number; repeat: number }
  funds: { amount_fen: number; paid_fen: number; pay_rate: number; idle_fen: number }
  households: { registered: number; exited: number; helpers_covered_rate: number }
  spot: { plans: number; targets: number; problems: number }
  cases: { total: number; year: number }
  by_region: { code: string; name: string; pending_alerts: number; overdue_alerts: number; complaints: number }[] | null
  trend: { month: string; raised: number; closed: number; complaints: number }[] | null
}

/** A user an alert may be assigned to. */
export interface Candidate {
  user_id: number
  name: string
  role: string
  role_label: string
  scope_code: string
}

function exportURL(q: AlertQuery, format: 'csv' | 'xlsx'): string {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries({ ...q, after: undefined, limit: undefined, format })) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v))
  }
  return '/api/v1/alerts/export?' + qs.toString()
}

export const oversightApi = {
  checks: () => get<CheckInfo[]>('/alert-rules/checks'),
  rules: (region?: string) => get<AlertRuleSet>('/alert-rules', { region }),
  ruleVersions: (region?: string) => get<AlertRuleSet[]>('/alert-rules/versions', { region }),
  setRules: (rules: AlertRule[], escalation: Escalation, note: string) =>
    put<AlertRuleSet>('/alert-rules', { rules, escalation, note }, { quiet: true }),

  startRun: (region?: string) => post<AlertRun>('/alert-runs', region ? { region } : {}, { quiet: true }),
  runs: (q: { region?: string; after?: string | null; limit?: number }) => get<Page<AlertRun>>('/alert-runs', { ...q }),
  run: (id: number) => get<AlertRun>(`/alert-runs/${id}`, undefined, { quiet: true }),

  alerts: (q: AlertQuery) => get<Page<AlertRow>>('/alerts', { ...q }),
  stats: (q: Omit<AlertQuery, 'after' | 'limit'>) => get<AlertStats>('/alerts/stats', { ...q }),
  exportURL,
  alert: (id: number) => get<AlertDetail>(`/alerts/${id}`),
  assign: (id: number, input: { assignee_id?: number; note: string; version: number }) =>
    post<AlertDetail>(`/alerts/${id}/assign`, input, { quiet: true }),
  verify: (id: number, input: { note: string; version: number }) => post<AlertDetail>(`/alerts/${id}/verify`, input, { quiet: true }),
  close: (id: number, input: { outcome: AlertOutcome; findings: string; version: number }) =>
    post<AlertDetail>(`/alerts/${id}/close`, input, { quiet: true }),
  attach: (id: number, file: File, opts: UploadOptions = {}) => {
    const f = new FormData()
    f.append('file', file, file.name)
    return upload<AlertAttachment>(`/alerts/${id}/attachments`, f, opts)
  },
  attachmentURL: (alert: number, id: number) => `/api/v1/alerts/${alert}/attachments/${id}`,

  supervision: (region?: string) => get<SupervisionRow[] | { items: SupervisionRow[] }>('/alerts/supervision', { region }),
  cockpit: (region?: string) => get<Cockpit>('/oversight/cockpit', { region }),
  /** The users an alert may be assigned to: active users of its department covering its region. */
  assignees: (id: number) => get<Candidate[] | { items: Candidate[] }>(`/alerts/${id}/assignees`, undefined, { quiet: true }),
}

/** A list answer as an array, whether the server wraps it in {items} or not. */
export function asList<T>(v: T[] | { items: T[] | null } | null | undefined): T[] {
  if (!v) return []
  return Array.isArray(v) ? v : (v.items ?? [])
}
