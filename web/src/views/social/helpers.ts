// Pure helpers of the 社会扶贫 console screens: the receipt's amount in Chinese capitals (大写),
// the 拨付到户 live check (sum ≤ what is left, unlike 收益分配 where it must be exact), the
// forms' own checks named like the server's field errors, and tag colours.
import { checkSum, type EditLine } from '../assets/assets'
import { parseYuan } from '../../utils/money'
import type { DonationInput, DonorInput, NeedInput } from '../../api/social'

export const donorKinds = ['person', 'enterprise', 'organisation'] as const
export const needKinds = ['money', 'goods', 'service'] as const
export const needStatuses = ['open', 'pledged', 'fulfilled', 'closed'] as const
export const donationKinds = ['money', 'goods'] as const

type TagType = 'success' | 'warning' | 'info' | 'danger' | 'primary'

export function needStatusType(s: string): TagType {
  return ({ open: 'primary', pledged: 'warning', fulfilled: 'success', closed: 'info' } as Record<string, TagType>)[s] ?? 'info'
}

export function pledgeStatusType(s: string): TagType {
  return ({ pledged: 'warning', fulfilled: 'success', cancelled: 'info' } as Record<string, TagType>)[s] ?? 'info'
}

const digits = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖']
const smallUnits = ['', '拾', '佰', '仟']
const bigUnits = ['', '万', '亿', '兆']

// A group of up to four digits in capitals ("1010" → 壹仟零壹拾), with zeros collapsed.
function group4(n: number): string {
  let out = ''
  let zero = false
  for (let i = 3; i >= 0; i--) {
    const d = Math.floor(n / 10 ** i) % 10
    if (d === 0) {
      if (out) zero = true
      continue
    }
    if (zero) out += '零'
    zero = false
    out += digits[d] + smallUnits[i]
  }
  return out
}

/**
 * The amount in Chinese capitals as written on receipts (人民币大写): 1000.01 yuan →
 * 壹仟元零壹分, 300 → 叁佰元整, 0.50 → 伍角整. Integer fen in, so no floating point.
 */
export function chineseCapital(fen: number): string {
  if (!Number.isSafeInteger(fen)) return ''
  if (fen < 0) return '负' + chineseCapital(-fen)
  if (fen === 0) return '零元整'
  const yuan = Math.floor(fen / 100)
  const jiao = Math.floor(fen / 10) % 10
  const fenD = fen % 10
  let head = ''
  if (yuan > 0) {
    const groups: number[] = []
    for (let y = yuan; y > 0; y = Math.floor(y / 10000)) groups.push(y % 10000)
    let zero = false
    for (let i = groups.length - 1; i >= 0; i--) {
      const g = groups[i]
      if (g === 0) {
        zero = head !== ''
        continue
      }
      if (head && (zero || g < 1000)) head += '零'
      zero = false
      head += group4(g) + bigUnits[i]
    }
    head += '元'
  }
  if (jiao === 0 && fenD === 0) return head + '整'
  let tail = ''
  if (jiao > 0) tail += digits[jiao] + '角'
  else if (yuan > 0) tail += '零'
  if (fenD > 0) tail += digits[fenD] + '分'
  else tail += '整'
  return head + tail
}

export interface DisburseCheck {
  sumFen: number
  /** left − sum: ≥ 0 is fine, < 0 is over what is left */
  diffFen: number
  invalid: number[]
  /** valid amounts, something to pay and not more than is left */
  ok: boolean
}

/** The 拨付到户 live check: every amount valid, a positive total, and total ≤ what is left. */
export function checkDisburse(lines: Pick<EditLine, 'amount'>[], leftFen: number): DisburseCheck {
  const c = checkSum(lines, leftFen)
  return { sumFen: c.sumFen, diffFen: c.diffFen, invalid: c.invalid, ok: c.invalid.length === 0 && c.sumFen > 0 && c.diffFen >= 0 }
}

/** What is left of a money donation to pay on to households. */
export function leftFen(d: { kind: string; amount_fen: number; disbursed_fen: number }): number {
  return d.kind === 'money' ? Math.max(0, d.amount_fen - d.disbursed_fen) : 0
}

function yuanError(s: string, allowZero = false): string {
  if (!s.trim()) return allowZero ? '' : 'social.err.amountRequired'
  const fen = parseYuan(s)
  if (fen === null) return 'social.err.amountFormat'
  if (fen < 0 || (!allowZero && fen === 0)) return 'social.err.amountPositive'
  return ''
}

const phoneRe = /^1\d{10}$|^0\d{2,3}-?\d{7,8}$/
// 18 digits or capital letters, without I, O, S, V and Z (as internal/giving checks it)
const creditRe = /^[0-9A-HJ-NPQRTUWXY]{18}$/

/** The donor form's own checks (i18n keys by field name). */
export function donorErrors(d: DonorInput): Record<string, string> {
  const e: Record<string, string> = {}
  if (!d.name.trim()) e.name = 'social.err.required'
  if (d.phone.trim() && !phoneRe.test(d.phone.trim())) e.phone = 'social.err.phone'
  if (d.kind !== 'person' && !creditRe.test(d.credit_code.trim().toUpperCase())) e.credit_code = d.credit_code.trim() ? 'social.err.creditCode' : 'social.err.required'
  if (!d.region_code) e.region_code = 'social.err.required'
  return e
}

/** The need form's own checks. */
export function needErrors(n: NeedInput, today: string): Record<string, string> {
  const e: Record<string, string> = {}
  if (!/^\d{12}$/.test(n.region_code) || n.region_code.endsWith('000')) e.region_code = 'social.err.village'
  if (!n.title.trim()) e.title = 'social.err.required'
  else if ([...n.title.trim()].length > 40) e.title = 'social.err.title'
  if (!n.content.trim()) e.content = 'social.err.required'
  else if ([...n.content].length > 500) e.content = 'social.err.content'
  if (n.kind === 'money') {
    const a = yuanError(n.target_yuan)
    if (a) e.target_yuan = a
  } else {
    if (!n.goods.trim()) e.goods = 'social.err.required'
    const a = yuanError(n.target_yuan, true)
    if (a) e.target_yuan = a
  }
  if (!n.deadline) e.deadline = 'social.err.required'
  else if (n.deadline < today) e.deadline = 'social.err.deadlinePast'
  return e
}

/** The donation form's own checks. */
export function donationErrors(d: DonationInput, today: string): Record<string, string> {
  const e: Record<string, string> = {}
  if (!d.donor_id) e.donor_id = 'social.err.required'
  if (!d.region_code) e.region_code = 'social.err.required'
  if (d.kind === 'money') {
    const a = yuanError(d.amount_yuan)
    if (a) e.amount_yuan = a
  } else {
    if (!d.goods.trim()) e.goods = 'social.err.required'
    if (!Number.isInteger(d.quantity) || d.quantity <= 0) e.quantity = 'social.err.quantity'
    const a = yuanError(d.value_yuan, true)
    if (a) e.value_yuan = a
  }
  if (!d.received_on) e.received_on = 'social.err.required'
  else if (d.received_on > today) e.received_on = 'social.err.future'
  return e
}

/** A region code is a village's when its last three digits are not 000 (12-digit codes). */
export function isVillage(code: string): boolean {
  return /^\d{12}$/.test(code) && !code.endsWith('000')
}
