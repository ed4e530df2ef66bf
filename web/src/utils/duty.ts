// Small pure helpers for the responsibility (帮扶责任) screens.
import type { Helper, HelperInput } from '../api/duty'
import { parseIdNumber } from './idcard'

// Above this many current households a helper counts as overloaded (the coverage page's default).
export const DEFAULT_MAX_LOAD = 10

// Share of registered households that have a helper, in percent with one decimal, rounded
// down so that 100.0 only shows when every household is covered ("—" when there are none).
export function coveragePercent(covered: number, registered: number): string {
  if (!registered || registered <= 0) return '—'
  const p = Math.floor((Math.min(covered, registered) * 1000) / registered) / 10
  return p.toFixed(1)
}

export function emptyHelper(): HelperInput {
  return { id_number: '', name: '', phone: '', employer: '', position: '', party_member: false }
}

export function helperInputOf(h: Helper): HelperInput {
  return {
    id_number: h.id_number,
    name: h.name,
    phone: h.phone ?? '',
    employer: h.employer ?? '',
    position: h.position ?? '',
    party_member: !!h.party_member,
  }
}

// The body to send: trimmed, the ID number's check character upper-case.
export function normalizeHelper(h: HelperInput): HelperInput {
  return {
    id_number: h.id_number.trim().toUpperCase(),
    name: h.name.trim(),
    phone: h.phone.trim(),
    employer: h.employer.trim(),
    position: h.position.trim(),
    party_member: !!h.party_member,
  }
}

// Client-side checks before sending (the server checks again): field → i18n key.
export function helperErrors(h: HelperInput, today: string): Record<string, string> {
  const e: Record<string, string> = {}
  const n = normalizeHelper(h)
  if (!n.name) e.name = 'duty.err.name'
  if (!n.id_number) e.id_number = 'duty.err.idRequired'
  else if (!parseIdNumber(n.id_number, today).ok) e.id_number = 'duty.err.idInvalid'
  if (n.phone && !/^[\d+][\d -]{4,19}$/.test(n.phone)) e.phone = 'duty.err.phone'
  return e
}
