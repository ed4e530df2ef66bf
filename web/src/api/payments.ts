// 资金直达 (direct payment): distribution plans (发放计划), their lines, bank batches
// (银行批量代发文件), the bank's return file (回盘) and the re-issue queue (补发). One call per route of
// internal/payments/http.go; shapes follow its json tags. Funds and accounts: api/funds.ts.
import { get, post } from './client'
import { upload, type UploadOptions } from './upload'
import type { Page } from './types'

export type PlanStatus = 'draft' | 'submitted' | 'approved' | 'rejected' | 'paying' | 'done'
export type LineStatus = 'pending' | 'sent' | 'paid' | 'failed' | 'reissue' | 'cancelled'
export type BatchStatus = 'sent' | 'reconciled'

export interface Plan {
  id: number
  fund_id: number
  fund_code: string
  fund_name: string
  item_id: number
  item_code: string
  item_name: string
  period: string
  region_code: string
  region_name: string
  title: string
  payer_account: number
  payer_name: string
  source: string
  status: PlanStatus | string
  lines: number
  total_fen: number
  paid_lines: number
  paid_fen: number
  failed_lines: number
  note: string
  version: number
  created_by: number
  created_at: string
  submitted_at: string | null
  approved_by: number | null
  approved_at: string | null
}

export interface SkippedHousehold {
  household_id: number
  household_no: string
  reason: string
}

/** POST /plans answers the plan with the households the rule found but could not pay. */
export interface CreatedPlan extends Plan {
  skipped?: SkippedHousehold[] | null
}

export interface PlanRule {
  household_types: string[]
  statuses: string[]
}

export interface PlanInput {
  fund_id: number
  item_id: number
  period: string
  region_code: string
  title: string
  payer_account?: number
  rule: PlanRule
}

export interface PlanLine {
  id: number
  plan_id: number
  household_id: number | null
  household_no: string
  region_code: string
  payee_id_number: string
  payee_name: string
  bank: string
  account_no: string
  account_holder: string
  amount_fen: number
  status: LineStatus | string
  batch_id: number | null
  fail_reason: string
  transfer_id: number | null
  attempts: number
}

export interface RejectedLine {
  line: number
  column: string
  code?: string
  reason: string
}

/** All lines replaced (committed) or none, with the rows that stopped it. */
export interface LinesReport {
  lines: number
  total_fen: number
  rejected: RejectedLine[] | null
  committed: boolean
}

export interface Batch {
  id: number
  plan_id: number
  batch_ref: string
  region_code: string
  lines: number
  total_fen: number
  status: BatchStatus | string
  paid_lines: number
  paid_fen: number
  failed_lines: number
  paid_on: string | null
  created_at: string
  reconciled_at: string | null
}

export interface ReconcileReport {
  batch_id: number
  paid: number
  failed: number
  paid_fen: number
  rejected: RejectedLine[] | null
  committed: boolean
}

export interface ReissueInput {
  bank?: string
  account_no?: string
  account_holder?: string
  note: string
}

export interface PlanQuery {
  status?: PlanStatus | ''
  fund?: number | ''
  region?: string
  after?: string | null
  limit?: number
}

const lists = <T>(r: { items: T[] | null } | T[] | null | undefined): T[] => (Array.isArray(r) ? r : (r?.items ?? []))

export const paymentsApi = {
  plans: (q: PlanQuery) => get<Page<Plan>>('/plans', { ...q }),
  plan: (id: number) => get<Plan>(`/plans/${id}`),
  createPlan: (input: PlanInput) => post<CreatedPlan>('/plans', input, { quiet: true }),
  importLines: (id: number, file: File, opts: UploadOptions = {}) => {
    const f = new FormData()
    f.append('file', file, file.name)
    return upload<LinesReport>(`/plans/${id}/lines`, f, opts)
  },
  lines: (id: number, q: { status?: LineStatus | ''; after?: string | null; limit?: number }) =>
    get<Page<PlanLine>>(`/plans/${id}/lines`, { ...q }),
  submit: (id: number, version: number) => post<Plan>(`/plans/${id}/submit`, { version }, { quiet: true }),
  approve: (id: number, version: number) => post<Plan>(`/plans/${id}/approve`, { version }, { quiet: true }),
  reject: (id: number, version: number, reason: string) => post<Plan>(`/plans/${id}/reject`, { version, reason }, { quiet: true }),

  createBatch: (planId: number) => post<Batch>(`/plans/${planId}/batches`, undefined, { quiet: true }),
  batches: async (q: { plan?: number; status?: BatchStatus | '' }) => lists(await get<{ items: Batch[] | null } | Batch[]>('/batches', { ...q })),
  batch: (id: number) => get<Batch>(`/batches/${id}`),
  batchFileURL: (id: number, format: 'csv' | 'xlsx') => `/api/v1/batches/${id}/file?format=${format}`,
  reconcile: (batchId: number, file: File, opts: UploadOptions = {}) => {
    const f = new FormData()
    f.append('file', file, file.name)
    return upload<ReconcileReport>(`/batches/${batchId}/return`, f, opts)
  },

  reissueQueue: (q: { region?: string; after?: string | null; limit?: number }) => get<Page<PlanLine>>('/payments/reissue', { ...q }),
  reissue: (lineId: number, input: ReissueInput) => post<PlanLine>(`/plan-lines/${lineId}/reissue`, input, { quiet: true }),
  cancel: (lineId: number, reason: string) => post<PlanLine>(`/plan-lines/${lineId}/cancel`, { reason }, { quiet: true }),
}
