// 精准管理扶贫资金: funds with their items and filings (报备), the ledger's accounts and
// transfers, and the tracing and evaluation views over them. One call per route of
// internal/funds/http.go; shapes follow the Go json tags there. Money is integer fen in
// answers (`*_fen`) and a yuan string in requests (`*_yuan`), parsed exactly by the server.
import { get, post } from './client'
import type { Page } from './types'

// village and income are the asset register's own funds (资产收益); no one registers them by hand.
export type SourceLevel = 'central' | 'province' | 'city' | 'county' | 'town' | 'village' | 'social'
export type FundCategory = 'fiscal' | 'subsidy' | 'donation' | 'income'
export type ItemBasis = 'household' | 'person'
export type AccountKind = 'source' | 'finance' | 'department' | 'project' | 'village' | 'enterprise' | 'passbook'
export type TransferKind = 'allocate' | 'transfer' | 'payment' | 'reversal'

export const sourceLevels: SourceLevel[] = ['central', 'province', 'city', 'county', 'town', 'social']
export const fundCategories: FundCategory[] = ['fiscal', 'subsidy', 'donation']
export const itemBases: ItemBasis[] = ['household', 'person']
export const accountKinds: AccountKind[] = ['source', 'finance', 'department', 'project', 'village', 'enterprise', 'passbook']
/** The kinds a user opens by hand; source and passbook accounts are opened by the system. */
export const openKinds: AccountKind[] = ['finance', 'department', 'project', 'village', 'enterprise']
export const transferKinds: TransferKind[] = ['allocate', 'transfer', 'payment', 'reversal']

export interface FundItem {
  id: number
  fund_id: number
  code: string
  name: string
  basis: ItemBasis | string
  standard_fen: number
}

export interface Fund {
  id: number
  code: string
  name: string
  source_level: SourceLevel | string
  category: FundCategory | string
  year: number
  doc_no: string
  amount_fen: number
  purpose: string
  region_code: string
  region_name: string
  /** false: higher-level money that bypasses city finance and must be filed (报备) */
  via_city: boolean
  received_on: string
  deadline: string
  filed_on: string | null
  filed_doc: string
  /** bypasses the city and not filed yet (未报备) */
  needs_filing: boolean
  items: FundItem[] | null
  source_account: number
  issued_fen: number
  paid_fen: number
  created_at: string
}

export interface ItemInput {
  code: string
  name: string
  basis: ItemBasis | string
  standard_yuan: string
}

export interface FundInput {
  code: string
  name: string
  source_level: SourceLevel | string
  category: FundCategory | string
  year: number
  doc_no: string
  amount_yuan: string
  purpose: string
  region_code: string
  via_city: boolean
  received_on: string
  deadline: string
  items: ItemInput[]
}

export interface FilingInput {
  filed_on: string
  doc_no: string
}

export interface FundQuery {
  year?: number | string
  category?: string
  source_level?: string
  q?: string
  unfiled?: '1'
}

export interface Balance {
  account_id: number
  fund_id: number
  fund_code: string
  fund_name: string
  balance_fen: number
  first_in_on: string
  last_in_on: string
  last_out_on: string | null
  idle_days: number
}

export interface Account {
  id: number
  kind: AccountKind | string
  name: string
  region_code: string
  region_name: string
  fund_id: number | null
  household_id: number | null
  /** passbooks only; masked unless the reader may export households */
  id_number?: string
  balance_fen: number
  balances?: Balance[] | null
  created_at: string
}

export interface AccountInput {
  kind: AccountKind | string
  name: string
  region_code: string
}

export interface AccountQuery {
  kind?: string
  region?: string
  q?: string
  after?: string | null
  limit?: number
}

export interface Transfer {
  id: number
  fund_id: number
  fund_code: string
  from_account: number
  from_name: string
  to_account: number
  to_name: string
  amount_fen: number
  on_date: string
  kind: TransferKind | string
  doc_no: string
  purpose: string
  item_id: number | null
  item_name: string
  period: string
  /** masked */
  account_no: string
  account_holder: string
  ref: string
  reverses_id: number | null
  reversed_by: number | null
  region_code: string
  created_by: number
  created_at: string
}

export interface TransferInput {
  fund_id: number
  from_account: number
  to_account: number
  amount_yuan: string
  on_date: string
  doc_no: string
  purpose: string
  item_id?: number
  period?: string
}

export interface TransferQuery {
  fund?: number | string
  account?: number | string
  kind?: string
  from?: string
  to?: string
  after?: string | null
  limit?: number
}

export interface ReverseInput {
  reason: string
  on_date?: string
}

export interface TraceNode {
  key: string
  name: string
  kind: AccountKind | 'other' | string
  region_code: string
  balance_fen: number
  idle_days: number
  /** how many accounts the node groups (a town's passbooks, 其他地区) */
  accounts: number
}

export interface TraceLink {
  source: string
  target: string
  /** net of reversals */
  amount_fen: number
  count: number
}

export interface FundTrace {
  fund: Fund
  nodes: TraceNode[] | null
  links: TraceLink[] | null
  undistributed_fen: number
}

export interface ProgressRegion {
  region_code: string
  region_name: string
  allocated_fen: number
  paid_fen: number
  households: number
  /** paid / allocated, 0..1 */
  rate: number
}

export interface ProgressPoint {
  /** YYYY-MM */
  month: string
  /** cumulative */
  paid_fen: number
  expected_fen: number
}

export interface FundProgress {
  fund_id: number
  regions: ProgressRegion[] | null
  series: ProgressPoint[] | null
}

export interface PathStep {
  account_id: number
  name: string
  kind: AccountKind | string
  region_code: string
}

export interface StatementEntry {
  transfer_id: number
  on_date: string
  fund_id: number
  fund_code: string
  fund_name: string
  item_name: string
  period: string
  amount_fen: number
  account_no: string
  payee_name: string
  reversed: boolean
  /** source → … → the paying account */
  path: PathStep[] | null
}

export interface Statement {
  household_id: number
  household_no: string
  head_name: string
  total_fen: number
  entries: StatementEntry[] | null
}

export interface IdleRow {
  account_id: number
  account_name: string
  kind: AccountKind | string
  region_code: string
  region_name: string
  fund_id: number
  fund_code: string
  fund_name: string
  balance_fen: number
  idle_days: number
  since: string
}

export interface EvaluationRow {
  fund_id: number
  fund_code: string
  fund_name: string
  region_code: string
  region_name: string
  amount_fen: number
  issued_fen: number
  paid_fen: number
  disbursement_rate: number
  schedule_rate: number
  behind: boolean
  avg_days_to_passbook: number | null
  direct_share: number
  households_reached: number
  failed_rate: number
  score: number
}

export interface Evaluation {
  year: number
  region_code: string
  rows: EvaluationRow[] | null
}

function url(path: string, q: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') qs.set(k, String(v))
  const s = qs.toString()
  return '/api/v1' + path + (s ? '?' + s : '')
}

export const fundsApi = {
  list: (q: FundQuery) => get<{ items: Fund[] | null }>('/funds', { ...q }),
  get: (id: number) => get<Fund>(`/funds/${id}`),
  create: (input: FundInput) => post<Fund>('/funds', input, { quiet: true }),
  file: (id: number, input: FilingInput) => post<Fund>(`/funds/${id}/filing`, input, { quiet: true }),

  trace: (id: number) => get<FundTrace>(`/funds/${id}/trace`, undefined, { quiet: true }),
  progress: (id: number, level: 'county' | 'town') => get<FundProgress>(`/funds/${id}/progress`, { level }, { quiet: true }),

  accounts: (q: AccountQuery) => get<Page<Account>>('/ledger/accounts', { ...q }),
  account: (id: number) => get<Account>(`/ledger/accounts/${id}`),
  openAccount: (input: AccountInput) => post<Account>('/ledger/accounts', input, { quiet: true }),

  transfers: (q: TransferQuery) => get<Page<Transfer>>('/ledger/transfers', { ...q }),
  transfer: (id: number) => get<Transfer>(`/ledger/transfers/${id}`),
  addTransfer: (input: TransferInput) => post<Transfer>('/ledger/transfers', input, { quiet: true }),
  reverse: (id: number, input: ReverseInput) => post<Transfer>(`/ledger/transfers/${id}/reverse`, input, { quiet: true }),

  statement: (householdId: number) => get<Statement>(`/households/${householdId}/statement`, undefined, { quiet: true }),
  idle: (q: { region?: string; min_days?: number }) => get<{ items: IdleRow[] | null }>('/ledger/idle', { ...q }),
  evaluation: (q: { year: number; region?: string }) => get<Evaluation>('/funds/evaluation', { ...q }),
  evaluationExportURL: (q: { year: number; region?: string }, format: 'xlsx' | 'csv') =>
    url('/funds/evaluation/export', { ...q, format }),
}
