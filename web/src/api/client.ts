// One small fetch wrapper for the whole console: JSON in and out, the CSRF header
// on every write, API errors shown with the server's (Chinese) message, and a
// 401 sends the user back to the sign-in page.
import { ElMessage } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import { t } from '../i18n'

export interface ApiErrorBody {
  code: string
  message: string
  fields?: Record<string, string>
}

export class ApiError extends Error {
  status: number
  code: string
  fields: Record<string, string>
  retryAfter: number | null
  constructor(status: number, body: ApiErrorBody, retryAfter: number | null = null) {
    super(body.message)
    this.status = status
    this.code = body.code
    this.fields = body.fields ?? {}
    this.retryAfter = retryAfter
  }
}

let csrfToken = ''
export function setCsrfToken(tok: string) {
  csrfToken = tok
}
export function csrf(): string {
  return csrfToken
}

let onUnauthorized: (() => void) | null = null
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | null | undefined>
  body?: unknown
  // quiet: the caller shows the error itself (e.g. the sign-in form).
  quiet?: boolean
  // noRedirect: a 401 is an answer, not a reason to leave the page (session probe, login).
  noRedirect?: boolean
}

export function buildURL(path: string, query?: RequestOptions['query']): string {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue
    qs.set(k, String(v))
  }
  const s = qs.toString()
  return '/api/v1' + path + (s ? '?' + s : '')
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const write = method !== 'GET' && method !== 'HEAD'
  if (write && csrfToken) headers['X-CSRF-Token'] = csrfToken
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json'

  let res: Response
  try {
    res = await fetch(buildURL(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    })
  } catch {
    const err = new ApiError(0, { code: 'network', message: t('common.networkError') })
    if (!opts.quiet) ElMessage.error(err.message)
    throw err
  }

  if (res.ok) {
    if (res.status === 204) return undefined as T
    const text = await res.text()
    return (text ? JSON.parse(text) : undefined) as T
  }

  const err = await toError(res)
  if (err.status === 401 && !opts.noRedirect && onUnauthorized) {
    onUnauthorized()
  } else if (!opts.quiet) {
    ElMessage.error({ message: err.message, grouping: true })
  }
  throw err
}

export async function toError(res: Response): Promise<ApiError> {
  const ra = Number(res.headers.get('Retry-After'))
  const retryAfter = Number.isFinite(ra) && ra > 0 ? ra : null
  let body: Partial<ApiErrorBody> = {}
  try {
    body = await res.json()
  } catch {
    // not JSON (a proxy's error page): fall through to a generic message
  }
  let message = typeof body.message === 'string' && body.message ? body.message : ''
  if (!message) {
    if (res.status === 429) message = retryAfter ? t('common.throttledRetry', { s: retryAfter }) : t('common.throttled')
    else if (res.status >= 500) message = t('common.serverError')
    else message = `HTTP ${res.status}`
  }
  return new ApiError(res.status, { code: body.code ?? String(res.status), message, fields: body.fields }, retryAfter)
}

export const get = <T>(path: string, query?: RequestOptions['query'], opts: RequestOptions = {}) =>
  request<T>('GET', path, { ...opts, query })
export const post = <T>(path: string, body?: unknown, opts: RequestOptions = {}) =>
  request<T>('POST', path, { ...opts, body })
export const patch = <T>(path: string, body: unknown, opts: RequestOptions = {}) =>
  request<T>('PATCH', path, { ...opts, body })
export const put = <T>(path: string, body: unknown, opts: RequestOptions = {}) =>
  request<T>('PUT', path, { ...opts, body })
export const del = <T>(path: string, opts: RequestOptions = {}) => request<T>('DELETE', path, opts)
