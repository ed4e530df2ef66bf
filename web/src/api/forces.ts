// 社会力量 (social forces): volunteers and third-party firms with their service records,
// deputies (人大代表, five levels) and CPPCC members (政协委员) paired with villages, village–
// enterprise pairs (村企结对) with their activities, and entrepreneurs from the city working
// elsewhere with project suggestions and 对接 records. One call per route of internal/partners
// (/tmp/spec9/partners-contract.md); shapes follow its Go json tags. Money comes out in fen and
// goes in as yuan strings.
import { get, patch, post } from './client'
import type { Page } from './types'

export type ProviderKind = 'volunteer' | 'law_firm' | 'bookkeeping_firm' | 'accounting_firm' | 'other_firm'
export type DeputyKind = 'npc' | 'cppcc'
export type DeputyLevel = 'national' | 'province' | 'city' | 'county' | 'town'
export type PairingKind = 'deputy' | 'enterprise'
export type MatchStatus = 'proposed' | 'contacted' | 'agreed' | 'declined'
export type Willing = 'capital' | 'project' | 'technology'

export interface Provider {
  id: number
  kind: ProviderKind | string
  name: string
  contact_person: string
  phone: string
  credit_code: string
  region_code: string
  region_name: string
  services: string[] | null
  status: 'active' | 'inactive' | string
  service_count: number
  service_hours: number
  last_served_on: string | null
  version: number
  created_at: string
}

export interface ProviderInput {
  kind: string
  name: string
  contact_person: string
  phone: string
  credit_code: string
  region_code: string
  services: string[]
}

export interface ProviderPatch {
  version: number
  services?: string[]
  status?: string
  phone?: string
  contact_person?: string
}

export interface ServiceRecord {
  id: number
  provider_id: number
  provider_name: string
  region_code: string
  region_name: string
  household_id: number | null
  head_name: string
  served_on: string
  service: string
  content: string
  hours: number
  people: number
  created_at: string
}

export interface ServiceInput {
  region_code: string
  household_id: number | null
  served_on: string
  service: string
  content: string
  hours: number
  people: number
}

export interface PairedVillage {
  pairing_id: number
  village_code: string
  village_name: string
  since: string
}

export interface Deputy {
  id: number
  kind: DeputyKind | string
  level: DeputyLevel | string
  name: string
  phone: string
  unit: string
  region_code: string
  region_name: string
  villages: PairedVillage[] | null
  activities: number
  version: number
}

export interface DeputyInput {
  kind: string
  level: string
  name: string
  phone: string
  unit: string
  region_code: string
}

export interface Activity {
  id: number
  pairing_id: number
  on_date: string
  title: string
  content: string
  value_fen: number
  people: number
  created_at: string
  source?: string // on the public page: 'service' for a service record, else a pairing activity
}

export interface Pairing {
  id: number
  kind: PairingKind | string
  deputy_id: number | null
  deputy_name: string
  deputy_kind: string
  deputy_level: string
  enterprise: string
  credit_code: string
  contact: string
  phone: string
  village_code: string
  village_name: string
  since: string
  until: string | null
  status: 'active' | 'ended' | string
  commitment: string
  pledged_fen: number
  delivered_fen: number
  activities: number | Activity[] | null
  version: number
}

// GET /pairings/{id}: the pairing with its activities (newest first) in items.
export interface PairingDetail extends Pairing {
  items?: Activity[] | null
}

export interface PairingInput {
  kind: PairingKind
  deputy_id: number | null
  enterprise: string
  credit_code: string
  contact: string
  phone: string
  village_code: string
  since: string
  commitment: string
  pledged_yuan: string
}

export interface ActivityInput {
  on_date: string
  title: string
  content: string
  value_yuan: string
  people: number
}

export interface Entrepreneur {
  id: number
  name: string
  phone: string
  hometown_code: string
  hometown_name: string
  works_in: string
  company: string
  industry: string
  capital: boolean
  project: boolean
  technology: boolean
  capital_fen: number
  notes: string
  matches: number
  version: number
}

export interface EntrepreneurInput {
  name: string
  phone: string
  hometown_code: string
  works_in: string
  company: string
  industry: string
  capital: boolean
  project: boolean
  technology: boolean
  capital_yuan: string
  notes: string
}

export interface Suggestion {
  project_id: number
  project_name: string
  project_kind: string
  region_code: string
  region_name: string
  stage: string | number
  budget_fen: number
  score: number
  reasons: string[] | null
  matched?: boolean // a match with the project is already on record
}

export interface Match {
  id: number
  entrepreneur_id: number
  project_id: number
  entrepreneur_name: string
  project_name: string
  score: number
  reasons: string[] | null
  status: MatchStatus | string
  note: string
  version: number
  created_at: string
}

export interface ProviderQuery {
  region?: string
  kind?: string
  q?: string
  status?: string
  after?: string | null
  limit?: number
}

export interface DeputyQuery {
  region?: string
  kind?: string
  level?: string
  after?: string | null
  limit?: number
}

export interface PairingQuery {
  region?: string
  kind?: string
  status?: string
  level?: string
  after?: string | null
  limit?: number
}

export interface EntrepreneurQuery {
  region?: string
  q?: string
  willing?: string
  after?: string | null
  limit?: number
}

// Lists may come as a bare array, {items} or a keyset page: the screens read all three.
export type Listing<T> = T[] | { items: T[] | null; next?: string | null } | null | undefined
export function listOf<T>(r: Listing<T>): T[] {
  if (!r) return []
  return Array.isArray(r) ? r : (r.items ?? [])
}
export function pageOf<T>(r: Listing<T>): Page<T> {
  if (!r) return { items: [], next: null }
  if (Array.isArray(r)) return { items: r, next: null }
  return { items: r.items ?? [], next: r.next ?? null }
}

// A pairing's activities: the detail route embeds them, the list counts them.
export function activityCount(p: { activities?: unknown }): number {
  const a = p.activities
  if (Array.isArray(a)) return a.length
  return typeof a === 'number' ? a : 0
}

const q = (o: object) => ({ ...o }) as Record<string, string | number | null | undefined>

export const forcesApi = {
  providers: (f: ProviderQuery) => get<Listing<Provider>>('/providers', q(f)).then(pageOf),
  provider: (id: number) => get<Provider>(`/providers/${id}`),
  createProvider: (in_: ProviderInput) => post<Provider>('/providers', in_, { quiet: true }),
  updateProvider: (id: number, p: ProviderPatch) => patch<Provider>(`/providers/${id}`, p, { quiet: true }),
  services: (id: number) => get<Listing<ServiceRecord>>(`/providers/${id}/services`).then(listOf),
  addService: (id: number, in_: ServiceInput) => post<ServiceRecord>(`/providers/${id}/services`, in_, { quiet: true }),

  deputies: (f: DeputyQuery) => get<Listing<Deputy>>('/deputies', q(f)).then(pageOf),
  deputy: (id: number) => get<Deputy>(`/deputies/${id}`),
  createDeputy: (in_: DeputyInput) => post<Deputy>('/deputies', in_, { quiet: true }),

  pairings: (f: PairingQuery) => get<Listing<Pairing>>('/pairings', q(f)).then(pageOf),
  pairing: (id: number) => get<PairingDetail>(`/pairings/${id}`),
  createPairing: (in_: PairingInput) => post<Pairing>('/pairings', in_, { quiet: true }),
  endPairing: (id: number, version: number, until: string) => post<Pairing>(`/pairings/${id}/end`, { version, until }, { quiet: true }),
  activities: (id: number) => get<Listing<Activity>>(`/pairings/${id}/activities`).then(listOf),
  addActivity: (id: number, in_: ActivityInput) => post<Activity>(`/pairings/${id}/activities`, in_, { quiet: true }),

  entrepreneurs: (f: EntrepreneurQuery) => get<Listing<Entrepreneur>>('/entrepreneurs', q(f)).then(pageOf),
  entrepreneur: (id: number) => get<Entrepreneur>(`/entrepreneurs/${id}`),
  createEntrepreneur: (in_: EntrepreneurInput) => post<Entrepreneur>('/entrepreneurs', in_, { quiet: true }),
  suggestions: (id: number) => get<Listing<Suggestion>>(`/entrepreneurs/${id}/suggestions`).then(listOf),
  matches: (id: number) => get<Listing<Match>>(`/entrepreneurs/${id}/matches`).then(listOf),
  addMatch: (id: number, projectId: number, note: string) => post<Match>(`/entrepreneurs/${id}/matches`, { project_id: projectId, note }, { quiet: true }),
  updateMatch: (id: number, u: { version: number; status: string; note: string }) => patch<Match>(`/matches/${id}`, u, { quiet: true }),
}
