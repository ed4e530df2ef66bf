// 精准项目: projects through their nine stages, stage documents and sign-offs, the board,
// beneficiaries and their level-by-level review, risks, 容错 and village plans (备案). One call
// per route of internal/projects (http_projects.go, http_support.go); shapes follow the Go
// json tags in internal/projects/types.go.
import { get, post, put } from './client'
import { upload, type UploadOptions } from './upload'
import type { Page } from './types'

export type ProjectKind = 'household' | 'carrier' | 'village'
export type ProjectStatus = 'active' | 'completed' | 'failed'
export type BeneficiaryStatus = 'applied' | 'village' | 'town' | 'approved' | 'rejected'
export type PlanStatus = 'draft' | 'filed' | 'received' | 'returned'
export type RiskLevel = 'low' | 'medium' | 'high'
export type ToleranceStatus = 'requested' | 'approved' | 'rejected'


export interface DocType {
  key: string
  label: string
}

export interface StageRule {
  stage: number
  key: string
  label: string
  docs: DocType[]
  roles: string[]
  level: string
  days: number
}

export interface Project {
  id: number
  code: string
  name: string
  kind: ProjectKind | string
  subkind: string
  region_code: string
  region_name: string
  year: number
  budget_fen: number
  implementer: string
  carrier_name: string
  scale: string
  benefit_mechanism: string
  targets: string
  stage: number
  stage_since: string
  stage_due: string | null
  overdue: boolean
  status: ProjectStatus | string
  plan_id: number | null
  account_id: number
  received_fen: number
  spent_fen: number
  beneficiaries: number
  version: number
  created_by: number
  created_at: string
  updated_at: string
}

export interface ProjectDocument {
  id: number
  project_id: number
  stage: number
  doc_type: string
  title: string
  attachment_id: number
  file_name: string
  sha256: string
  size: number
  content_type: string
  created_by: number
  created_at: string
}

export interface StageRow {
  stage: number
  key: string
  label: string
  planned_start: string | null
  planned_end: string | null
  actual_start: string | null
  actual_end: string | null
  signed_by: number | null
  signed_by_name: string
  signed_role: string
  signed_scope: string
  opinion: string
  overdue: boolean
  required: DocType[] | null
  missing: string[] | null
  documents: ProjectDocument[] | null
}

export interface FundingLine {
  fund_id: number
  fund_code: string
  fund_name: string
  received_fen: number
  spent_fen: number
}

export interface ProjectDetail extends Project {
  stages: StageRow[]
  funding: FundingLine[] | null
  open_risks: number
  assets: number
}

export interface StagePlan {
  stage: number
  planned_start: string
  planned_end: string
}

export interface ProjectInput {
  code: string
  name: string
  kind: string
  subkind: string
  region_code: string
  year: number
  budget_yuan: string
  implementer: string
  carrier_name: string
  scale: string
  benefit_mechanism: string
  targets: string
  start_on: string
  plan: StagePlan[]
  plan_id: number
  version?: number
}

export interface StageSignInput {
  stage: number
  opinion: string
  on_date: string
  version: number
}

export interface ProjectQuery {
  region?: string
  kind?: string
  stage?: number | string
  status?: string
  year?: number | string
  overdue?: '1'
  q?: string
  after?: string | null
  limit?: number
}

export interface BoardColumn {
  stage: number
  key: string
  label: string
  count: number
  overdue: number
  budget_fen: number
  cards: Project[] | null
}

export interface Board {
  columns: BoardColumn[]
  total: number
}

export interface ReviewRecord {
  level: string
  decision: 'pass' | 'reject' | string
  opinion: string
  reviewed_by: number
  reviewed_by_name: string
  reviewed_at: string
}

export interface Beneficiary {
  id: number
  project_id: number
  household_id: number
  household_head: string
  region_code: string
  region_name: string
  link: string
  expected_income_fen: number
  status: BeneficiaryStatus | string
  note: string
  reviews: ReviewRecord[] | null
  version: number
  created_at: string
}

export interface BeneficiaryInput {
  household_id: number
  link: string
  expected_income_yuan: string
  note: string
}

export interface ReviewInput {
  decision: 'pass' | 'reject'
  opinion: string
  version: number
}

export interface Risk {
  id: number
  project_id: number
  title: string
  likelihood: RiskLevel | string
  impact: RiskLevel | string
  mitigation: string
  owner: string
  status: 'open' | 'closed' | string
  closed_note: string
  version: number
  created_by: number
  created_at: string
  closed_at: string | null
}

export interface RiskInput {
  title: string
  likelihood: string
  impact: string
  mitigation: string
  owner: string
}

export interface Person {
  name: string
  position: string
}

export interface Tolerance {
  id: number
  project_id: number
  reason: string
  people: Person[] | null
  status: ToleranceStatus | string
  requested_by: number
  requested_at: string
  decided_by: number | null
  decided_by_name: string
  decided_at: string | null
  opinion: string
  version: number
}

export interface ToleranceInput {
  reason: string
  people: Person[]
}

export interface ToleranceDecision {
  decision: 'approve' | 'reject'
  opinion: string
  version: number
}

export interface VillagePlan {
  id: number
  region_code: string
  region_name: string
  year: number
  title: string
  content: string
  status: PlanStatus | string
  attachment_id: number | null
  filed_to: string | null
  filed_to_name: string
  filed_by: number | null
  filed_at: string | null
  receipt_no: string
  decided_by: number | null
  decided_at: string | null
  opinion: string
  projects: number
  version: number
  created_at: string
}

export interface PlanInput {
  region_code: string
  year: number
  title: string
  content: string
}

export interface PlanDecision {
  decision: 'receive' | 'return'
  receipt_no: string
  opinion: string
  version: number
}

export interface PlanQuery {
  region?: string
  year?: number | string
  status?: string
  after?: string | null
  limit?: number
}

/** The few asset fields the project page lists (the asset pages own the full shape). */
export interface ProjectAsset {
  id: number
  code: string
  name: string
  kind: string
  value_fen: number
  region_code: string
  region_name: string
  status: string
  formed_on: string
  custodian: string
  undistributed_fen: number
}

type Query = Record<string, string | number | boolean | null | undefined>
const q = (o: object) => o as Query

export const projectsApi = {
  list: (query: ProjectQuery) => get<Page<Project>>('/projects', q(query)),
  create: (p: ProjectInput) => post<ProjectDetail>('/projects', p, { quiet: true }),
  board: (query: { region?: string; kind?: string; year?: number | string }) => get<Board>('/projects/board', q(query)),
  stages: () => get<StageRule[] | { items: StageRule[] }>('/projects/stages'),
  get: (id: number) => get<ProjectDetail>(`/projects/${id}`),
  update: (id: number, p: ProjectInput) => put<ProjectDetail>(`/projects/${id}`, p, { quiet: true }),
  addDocument: (id: number, stage: number, docType: string, title: string, file: File, opts: UploadOptions = {}) => {
    const form = new FormData()
    form.append('stage', String(stage))
    form.append('doc_type', docType)
    form.append('title', title)
    form.append('file', file)
    return upload<ProjectDocument>(`/projects/${id}/documents`, form, { quiet: true, ...opts })
  },
  documentURL: (id: number, doc: number) => `/api/v1/projects/${id}/documents/${doc}/file`,
  sign: (id: number, s: StageSignInput) => post<ProjectDetail>(`/projects/${id}/sign`, s, { quiet: true }),

  beneficiaries: (id: number) => get<Beneficiary[] | Page<Beneficiary>>(`/projects/${id}/beneficiaries`),
  addBeneficiary: (id: number, b: BeneficiaryInput) => post<Beneficiary>(`/projects/${id}/beneficiaries`, b, { quiet: true }),
  reviewBeneficiary: (id: number, r: ReviewInput) => post<Beneficiary>(`/project-beneficiaries/${id}/review`, r, { quiet: true }),

  risks: (id: number) => get<Risk[] | Page<Risk>>(`/projects/${id}/risks`),
  addRisk: (id: number, r: RiskInput) => post<Risk>(`/projects/${id}/risks`, r, { quiet: true }),
  closeRisk: (id: number, note: string, version: number) => post<Risk>(`/project-risks/${id}/close`, { note, version }, { quiet: true }),

  tolerances: (id: number) => get<Tolerance[] | Page<Tolerance>>(`/projects/${id}/tolerances`),
  requestTolerance: (id: number, t: ToleranceInput) => post<Tolerance>(`/projects/${id}/tolerances`, t, { quiet: true }),
  decideTolerance: (id: number, d: ToleranceDecision) => post<Tolerance>(`/project-tolerances/${id}/decide`, d, { quiet: true }),

  plans: (query: PlanQuery) => get<Page<VillagePlan>>('/village-plans', q(query)),
  plan: (id: number) => get<VillagePlan>(`/village-plans/${id}`),
  createPlan: (p: PlanInput) => post<VillagePlan>('/village-plans', p, { quiet: true }),
  attachPlan: (id: number, file: File, opts: UploadOptions = {}) => {
    const form = new FormData()
    form.append('file', file)
    return upload<VillagePlan>(`/village-plans/${id}/attachment`, form, { quiet: true, ...opts })
  },
  planAttachmentURL: (id: number) => `/api/v1/village-plans/${id}/attachment`,
  filePlan: (id: number, version: number) => post<VillagePlan>(`/village-plans/${id}/file`, { version }, { quiet: true }),
  decidePlan: (id: number, d: PlanDecision) => post<VillagePlan>(`/village-plans/${id}/decide`, d, { quiet: true }),

  assets: (projectId: number) => get<Page<ProjectAsset>>('/assets', { project: projectId, limit: 100 }),
}
