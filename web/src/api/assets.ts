// 扶贫资产: the asset register with its map, asset pages, yearly income and its distribution
// (收益分配). One call per route of internal/projects/http_assets.go; shapes follow the Go json
// tags of internal/projects/types_assets.go. Money is integer fen in answers (`*_fen`) and a
// yuan string in requests (`*_yuan`).
import { get, post, put } from './client'
import type { Page } from './types'

export const assetKinds = ['operating', 'public_welfare', 'household'] as const
export type AssetKind = (typeof assetKinds)[number]
export const assetStatuses = ['in_use', 'idle', 'lost', 'disposed'] as const
export type AssetStatus = (typeof assetStatuses)[number]
/** 需关注: idle, lost, or income recorded more than 90 days ago and not distributed. */
export const assetAttentions = ['idle', 'lost', 'undistributed'] as const
export type AssetAttention = (typeof assetAttentions)[number]
/** How long recorded income may wait before it is listed (internal/projects UndistributedDays). */
export const undistributedDays = 90

export interface Asset {
  id: number
  code: string
  name: string
  project_id: number
  project_code: string
  project_name: string
  kind: AssetKind | string
  value_fen: number
  ownership: string
  region_code: string
  region_name: string
  property_reg_no: string
  custodian: string
  location: string
  lat: number | null
  lng: number | null
  status: AssetStatus | string
  formed_on: string
  account_id: number | null
  /** recorded income not yet distributed */
  undistributed_fen: number
  /** entitled households */
  beneficiaries: number
  version: number
  created_at: string
  updated_at: string
}

export interface Entitled {
  household_id: number
  household_head: string
  region_code: string
  share: number
  /** the head has a passbook account number on file */
  payable: boolean
}

export interface Payout {
  household_id: number
  household_head: string
  /** masked */
  payee_id_number: string
  amount_fen: number
  transfer_id: number | null
}

export interface AssetIncome {
  id: number
  asset_id: number
  year: number
  amount_fen: number
  received_on: string
  fund_id: number
  fund_code: string
  status: 'recorded' | 'distributed' | string
  distributed_on: string | null
  /** since received, while undistributed */
  days_waiting: number
  lines: Payout[] | null
  version: number
  created_at: string
}

export interface AssetDetail extends Asset {
  entitled: Entitled[] | null
  incomes: AssetIncome[] | null
}

export interface EntitledInput {
  household_id: number
  share: number
}

export interface AssetInput {
  /** "" = generated ZC{year}-{county}-{seq} */
  code: string
  name: string
  project_id: number
  kind: AssetKind | string
  value_yuan: string
  ownership: string
  region_code: string
  property_reg_no: string
  custodian: string
  location: string
  lat: number | null
  lng: number | null
  /** default in_use */
  status: AssetStatus | string
  /** default the acceptance date */
  formed_on: string
  /** default: the project's approved beneficiaries, share 1 each */
  entitled: EntitledInput[]
  /** edits only */
  version?: number
}

export interface IncomeInput {
  year: number
  amount_yuan: string
  received_on: string
  doc_no: string
}

export interface DistributeLine {
  household_id: number
  amount_yuan: string
}

export interface DistributeInput {
  on_date: string
  lines: DistributeLine[]
  version: number
}

export interface ProposalLine {
  household_id: number
  household_head: string
  share: number
  amount_fen: number
}

export interface Proposal {
  income_id: number
  amount_fen: number
  lines: ProposalLine[] | null
  not_payable: Entitled[] | null
}

export interface Bucket {
  key: string
  count: number
  value_fen: number
}

export interface MapPoint {
  region_code: string
  region_name: string
  lat: number
  lng: number
  count: number
  value_fen: number
  /** idle or lost */
  attention: number
}

export interface Register {
  count: number
  value_fen: number
  by_kind: Bucket[] | null
  by_status: Bucket[] | null
  points: MapPoint[] | null
}

export interface AssetQuery {
  region?: string
  kind?: string
  status?: string
  project?: number | string
  attention?: string
  q?: string
  after?: string | null
  limit?: number
}

// The few project fields the asset dialog needs (the project screens have their own types).
export interface AssetProject {
  id: number
  code: string
  name: string
  kind: string
  region_code: string
  region_name: string
  year: number
  stage: number
  status: string
  beneficiaries: number
}

export interface AssetProjectBeneficiary {
  id: number
  household_id: number
  household_head: string
  region_code: string
  region_name: string
  status: string
}

const itemsOf = <T>(r: T[] | { items: T[] | null } | null | undefined): T[] => (!r ? [] : Array.isArray(r) ? r : (r.items ?? []))

export const assetsApi = {
  list: (q: AssetQuery) => get<Page<Asset>>('/assets', { ...q }),
  register: (q: Omit<AssetQuery, 'after' | 'limit'>) => get<Register>('/assets/register', { ...q }),
  get: (id: number) => get<AssetDetail>(`/assets/${id}`),
  create: (a: AssetInput) => post<AssetDetail>('/assets', a, { quiet: true }),
  update: (id: number, a: AssetInput) => put<AssetDetail>(`/assets/${id}`, a, { quiet: true }),
  recordIncome: (id: number, i: IncomeInput) => post<AssetIncome>(`/assets/${id}/incomes`, i, { quiet: true }),
  proposal: (incomeId: number) => get<Proposal>(`/asset-incomes/${incomeId}/proposal`),
  distribute: (incomeId: number, d: DistributeInput) => post<AssetIncome>(`/asset-incomes/${incomeId}/distribute`, d, { quiet: true }),

  /** Projects that may form assets: 验收 signed (stage 7 or 8) or completed, not failed. */
  async acceptedProjects(q = ''): Promise<AssetProject[]> {
    const base = { q: q || undefined, limit: 100 }
    const pages = await Promise.all([
      get<Page<AssetProject>>('/projects', { ...base, stage: 7 }),
      get<Page<AssetProject>>('/projects', { ...base, stage: 8 }),
      get<Page<AssetProject>>('/projects', { ...base, status: 'completed' }),
    ])
    const seen = new Set<number>()
    const out: AssetProject[] = []
    for (const p of pages.flatMap((x) => x.items ?? [])) {
      if (seen.has(p.id) || p.status === 'failed') continue
      seen.add(p.id)
      out.push(p)
    }
    return out.sort((a, b) => b.id - a.id)
  },
  projectBeneficiaries: (projectId: number) =>
    get<AssetProjectBeneficiary[] | { items: AssetProjectBeneficiary[] | null }>(`/projects/${projectId}/beneficiaries`).then(itemsOf),
}
