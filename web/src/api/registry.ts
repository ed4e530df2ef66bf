// The registry (精准识别) endpoints: households, members, procedures, attachments,
// yearly adjustment, statistics and the import/export frame (/tmp spec: registry-api.md).
import { get, post, put } from './client'
import { upload, type UploadOptions } from './upload'
import type {
  Adjustment,
  Attachment,
  ExchangeKind,
  HouseholdFile,
  HouseholdInput,
  HouseholdRecord,
  HouseholdRow,
  ImportJob,
  IncomeLine,
  Member,
  MemberInput,
  Notice,
  Objection,
  Page,
  Procedure,
  ProcKind,
  ProcStatus,
  RegistryStats,
  SignInput,
  ProcStep,
} from './types'

export type HouseholdListQuery = Record<string, string | number | undefined | null>

const enc = encodeURIComponent

export const registryApi = {
  list: (q: HouseholdListQuery) => get<Page<HouseholdRow>>('/households', q),
  file: (id: number) => get<HouseholdFile>(`/households/${id}`),
  create: (household: HouseholdInput, members: MemberInput[]) =>
    post<HouseholdFile>('/households', { household, members }, { quiet: true }),
  update: (id: number, version: number, household: HouseholdInput) =>
    put<HouseholdRecord>(`/households/${id}`, { version, household }, { quiet: true }),
  addMember: (householdId: number, m: MemberInput) => post<Member>(`/households/${householdId}/members`, m, { quiet: true }),
  updateMember: (id: number, m: MemberInput) => put<Member>(`/members/${id}`, m, { quiet: true }),
  leaveMember: (id: number, on: string, reason: string) => post<Member>(`/members/${id}/leave`, { on, reason }, { quiet: true }),
  startProcedure: (householdId: number, kind: ProcKind, reason: string) =>
    post<Procedure>(`/households/${householdId}/procedures`, { kind, reason }, { quiet: true }),
  stats: (region: string) => get<RegistryStats>('/registry/stats', { region }),
}

export interface ProcedureQuery {
  inbox?: 1 | ''
  kind?: ProcKind | ''
  status?: ProcStatus | ''
  region?: string
  after?: string | null
  limit?: number
}

export const proceduresApi = {
  list: (q: ProcedureQuery) => get<Page<Procedure>>('/procedures', { ...q }),
  // How many procedures wait for the user's signature (for the menu badge; quiet).
  inboxCount: () =>
    get<Page<Procedure>>('/procedures', { inbox: 1, limit: 100 }, { quiet: true, noRedirect: true }).then((p) =>
      p.next ? 100 : (p.items?.length ?? 0),
    ),
  get: (id: number) => get<Procedure>(`/procedures/${id}`),
  sign: (id: number, s: SignInput) => post<Procedure>(`/procedures/${id}/sign`, s, { quiet: true }),
  publish: (id: number, title?: string, body?: string) => post<Notice>(`/procedures/${id}/notices`, { title, body }, { quiet: true }),
  object: (id: number, content: string, contact: string) =>
    post<Objection>(`/procedures/${id}/objections`, { content, contact }, { quiet: true }),
  answer: (objectionId: number, answer: string) => post<Objection>(`/objections/${objectionId}/answer`, { answer }, { quiet: true }),
  cancel: (id: number, reason: string) => post<Procedure>(`/procedures/${id}/cancel`, { reason }, { quiet: true }),
  defs: () => get<{ kind: ProcKind; version: number; steps: ProcStep[] }[]>('/procedure-defs'),
}

export const attachmentsApi = {
  upload: (file: File, opts: UploadOptions = {}) => {
    const f = new FormData()
    f.append('file', file, file.name)
    return upload<Attachment>('/attachments', f, opts)
  },
  url: (id: number) => `/api/v1/attachments/${id}`,
}

export const adjustmentApi = {
  incomeLines: () => get<IncomeLine[] | { items: IncomeLine[] }>('/income-lines'),
  setIncomeLine: (year: number, region_code: string, line_fen: number) =>
    put<IncomeLine>(`/income-lines/${year}`, { region_code, line_fen }, { quiet: true }),
  get: (year: number, region: string) => get<Adjustment>('/adjustment', { year, region }),
  // A region's name, quietly (the line may be set above the user's scope).
  regionName: (code: string) => get<{ name: string }>(`/regions/${enc(code)}`, undefined, { quiet: true }).then((r) => r.name),
  startExits: (year: number, household_ids: number[], reason: string) =>
    post<{ started: number; procedures: number[] }>('/adjustment/exits', { year, household_ids, reason }, { quiet: true }),
}

export const exchangeApi = {
  kinds: () => get<ExchangeKind[] | { items: ExchangeKind[] }>('/exchange/kinds'),
  startImport: (kind: string, file: File, validOnly: boolean, opts: UploadOptions = {}) => {
    const f = new FormData()
    f.append('kind', kind)
    f.append('valid_only', validOnly ? '1' : '0')
    f.append('file', file, file.name)
    return upload<ImportJob>('/imports', f, opts)
  },
  job: (id: number | string) => get<ImportJob>(`/imports/${enc(String(id))}`, undefined, { quiet: true }),
  exportURL: (kind: string, format: 'csv' | 'xlsx') => `/api/v1/exports/${enc(kind)}?format=${format}`,
  templateURL: (kind: string, format: 'csv' | 'xlsx') => `/api/v1/templates/${enc(kind)}?format=${format}`,
}

// Lists may come bare or wrapped in {items}.
export function itemsOf<T>(r: T[] | { items: T[] } | null | undefined): T[] {
  if (!r) return []
  return Array.isArray(r) ? r : (r.items ?? [])
}
