// Quarterly visits (走访) as the office console sees them: the list, one visit with its
// photos, signals and conflicts, review edits, compliance per quarter, the map settings,
// household locations, and the helpers' phone accounts (/tmp spec: visits.md).
import { del, get, patch, post, put } from './client'
import type { AuditEvent, Guarantees, Page, RegionLevel } from './types'

export type SignalKind = 'far_from_home' | 'same_photo' | 'late_record' | 'impossible_travel'

export interface PhotoRef {
  sha256: string
  taken_at: string | null
}

// What the phone sends for one visit (POST /field/sync); also a conflict's payload.
export interface VisitUpload {
  client_id: string
  household_id: number
  base_version: number
  visited_at: string
  recorded_at: string
  lat: number | null
  lng: number | null
  accuracy_m: number | null
  guarantees: Guarantees
  income_fen: number | null
  needs: string
  measures: string
  notes: string
  confirmed: boolean
  confirmed_by: string
  photos: PhotoRef[]
}

export interface VisitRow {
  id: number
  client_id: string
  household_id: number
  household_no: string
  head_name: string
  region_code: string
  region_name: string
  helper_id: number
  helper_name: string
  visited_at: string
  received_at: string
  quarter: string
  distance_m: number | null
  accuracy_m: number | null
  /** how many photos */
  photos: number
  /** kinds of its fake-visit signals (SignalKind) */
  signals: string[] | null
  conflict: boolean
  confirmed: boolean
  version: number
}

export interface VisitPhoto {
  sha256: string
  taken_at: string | null
  width: number
  height: number
  size: number
  content_type: string
}

export interface VisitSignal {
  kind: SignalKind | string
  value: number
  detail: string
  other_visit_id: number | null
}

export interface VisitConflict {
  id: number
  base_version: number
  server_version: number
  payload: VisitUpload
  user_name: string
  created_at: string
  resolution: '' | 'phone' | 'server' | string
  resolved_at: string | null
  resolved_by_name: string
}

export interface LatLng {
  lat: number
  lng: number
}

export interface VisitDetail extends Omit<VisitUpload, 'photos' | 'base_version'> {
  id: number
  version: number
  conflict: boolean
  received_at: string
  quarter?: string
  region_code?: string
  distance_m?: number | null
  household: {
    id: number
    household_no: string
    head_name: string
    address: string
    region_code: string
    region_name: string
    location: LatLng | null
  }
  helper: { id: number; name: string; phone: string; employer: string }
  /** the account that uploaded it: a name, or the user object */
  uploaded_by: string | { id?: number; username?: string; display_name?: string } | null
  photos: VisitPhoto[] | null
  signals: VisitSignal[] | null
  conflicts: VisitConflict[] | null
  history: AuditEvent[] | null
}

export interface VisitPatch {
  version: number
  guarantees: Guarantees
  income_fen: number | null
  needs: string
  measures: string
  notes: string
}

export interface VisitQuery {
  region?: string
  quarter?: string
  household_id?: number | string
  helper_id?: number | string
  signal?: 'any' | SignalKind | ''
  conflict?: '1' | ''
  after?: string | null
  limit?: number
}

export interface ComplianceCounts {
  due: number
  visited: number
  overdue: number
  no_helper: number
  /** visited / due, 0..1 */
  rate: number
}

export interface ComplianceChild extends ComplianceCounts {
  code: string
  name: string
  level: RegionLevel | string
}

export interface Compliance {
  quarter: string
  region: { code: string; name: string; level: RegionLevel | string }
  total: ComplianceCounts
  children: ComplianceChild[] | null
  signals: Partial<Record<SignalKind, number>>
  conflicts: number
}

export interface OverdueRow {
  household_id: number
  household_no: string
  head_name: string
  region_code: string
  region_name: string
  /** 0 when the household has no helper */
  helper_id: number
  helper_name: string
  helper_phone: string
  last_visit_at: string | null
}

export interface VisitSettings {
  tile_url: string
  tile_attribution: string
  far_meters: number
  late_hours: number
  max_kmh: number
}

export interface HouseholdLocation {
  lat: number
  lng: number
  source: string
  updated_at: string
}

const enc = encodeURIComponent

// The URL the console shows a visit photo from (the session cookie authorises it).
export const photoURL = (sha256: string) => `/api/v1/visits/photos/${enc(sha256)}`

export const visitsApi = {
  list: (q: VisitQuery) => get<Page<VisitRow>>('/visits', { ...q }),
  get: (id: number) => get<VisitDetail>(`/visits/${id}`),
  update: (id: number, p: VisitPatch) => patch<VisitDetail>(`/visits/${id}`, p, { quiet: true }),
  resolve: (id: number, conflictId: number, take: 'phone' | 'server') =>
    post<VisitDetail>(`/visits/${id}/conflicts/${conflictId}/resolve`, { take }, { quiet: true }),
  compliance: (region: string, quarter: string) => get<Compliance>('/visits/compliance', { region, quarter }),
  overdue: (q: { region: string; quarter: string; after?: string | null; limit?: number }) =>
    get<Page<OverdueRow>>('/visits/overdue', { ...q }),
  settings: () => get<VisitSettings>('/visits/settings', undefined, { quiet: true }),
  // 404 = no location on record: answered as null, not shown as an error.
  location: (householdId: number) =>
    get<HouseholdLocation>(`/households/${householdId}/location`, undefined, { quiet: true }).catch((e: { status?: number }) => {
      if (e?.status === 404) return null
      throw e
    }),
  setLocation: (householdId: number, lat: number, lng: number) =>
    put<HouseholdLocation>(`/households/${householdId}/location`, { lat, lng }, { quiet: true }),
}

// The phone account a helper signs in with (lead's endpoints, duty.write).
export const helperAccountApi = {
  create: (helperId: number, username: string, password: string) =>
    post<unknown>(`/helpers/${helperId}/account`, { username, password }, { quiet: true }),
  remove: (helperId: number) => del<unknown>(`/helpers/${helperId}/account`, { quiet: true }),
}
