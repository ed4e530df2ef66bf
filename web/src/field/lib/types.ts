// The field API's shapes (docs: /tmp spec "Field API"; docs/api.md). What the phone
// uploads (VisitUpload, PhotoRef) and the five guarantees are the console's own: type
// imports are erased, and guaranteeKeys is a constant the build takes alone (utils/visits
// has no other top-level effect), so the field bundle gains nothing of the console.
import type { Guarantees } from '../../api/types'
import type { VisitUpload } from '../../api/visits'

export type { GuaranteeValue, Guarantees } from '../../api/types'
export type { PhotoRef, VisitUpload } from '../../api/visits'
export { guaranteeKeys } from '../../utils/visits'

export interface FieldUser {
  id: number
  username: string
  display_name: string
  role: string
  scope_code: string
}

export interface LoginResponse {
  token: string
  expires_at: string
  user: FieldUser
}

export interface FieldVisit extends VisitUpload {
  id: number
  version: number
  conflict: boolean
  received_at: string
}

export interface Member {
  name: string
  relation: string
  sex: string
  age: number
  health: string
  disability_grade: number
  labour: string
  in_school: boolean
}

export interface FieldHousehold {
  id: number
  household_no: string
  head_name: string
  region_code: string
  region_name: string
  group_name: string
  address: string
  phone: string
  household_type: string
  status: string
  causes: string[]
  members_count: number
  members: Member[]
  income: { year: number; per_capita_fen: number } | null
  guarantees: Guarantees
  location: { lat: number; lng: number } | null
  visited_this_quarter: boolean
  visits: FieldVisit[]
  /** dispatched cross-check doubts (待核查疑点); absent in data downloaded before they existed */
  doubts?: FieldDoubt[]
}

/** A cross-check doubt dispatched to the household's village for verification: read-only here
 * (the outcome is recorded in the console); no ID numbers. */
export interface FieldDoubt {
  id: number
  rule_label: string
  member_name: string
  explanation: string
  dispatch_note: string
  deadline: string
  overdue: boolean
}

export interface FieldHelper {
  id: number
  name: string
  phone: string
  employer: string
  position: string
}

export interface HouseholdsResponse {
  helper: FieldHelper
  quarter: string
  quarter_start: string
  quarter_end: string
  generated_at: string
  households: FieldHousehold[]
}

export type SyncStatus = 'accepted' | 'duplicate' | 'updated' | 'conflict' | 'rejected'

export interface SyncResult {
  client_id: string
  status: SyncStatus | string
  visit_id?: number
  version?: number
  code?: string
  message?: string
  field?: string
}

export interface PhotoStatus {
  sha256: string
  size: number
  received: number
  complete: boolean
}
