// Multipart uploads through XMLHttpRequest, because fetch cannot report upload
// progress. Same conventions as client.ts: CSRF header, server error bodies
// turned into ApiError, 401 handled by the caller's normal flow.
import { ElMessage } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import { ApiError, csrf, type ApiErrorBody } from './client'
import { t } from '../i18n'

export interface UploadProgress {
  loaded: number
  total: number
}

export interface UploadOptions {
  onProgress?: (p: UploadProgress) => void
  quiet?: boolean
  signal?: AbortSignal
}

// Parses the body of a failed response into an ApiError (exported for tests).
export function uploadError(status: number, text: string): ApiError {
  let body: Partial<ApiErrorBody> & { error?: Partial<ApiErrorBody> } = {}
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON
  }
  const e = body.error ?? body
  let message = typeof e.message === 'string' && e.message ? e.message : ''
  if (!message) message = status === 413 ? t('exchange.tooLarge') : status >= 500 ? t('common.serverError') : `HTTP ${status}`
  return new ApiError(status, { code: e.code ?? String(status), message, fields: e.fields })
}

export function upload<T>(path: string, form: FormData, opts: UploadOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', '/api/v1' + path)
    xhr.setRequestHeader('Accept', 'application/json')
    const tok = csrf()
    if (tok) xhr.setRequestHeader('X-CSRF-Token', tok)
    xhr.withCredentials = true
    if (opts.onProgress) {
      xhr.upload.addEventListener('progress', (e) => {
        if (e.lengthComputable) opts.onProgress!({ loaded: e.loaded, total: e.total })
      })
    }
    const fail = (err: ApiError) => {
      if (!opts.quiet) ElMessage.error({ message: err.message, grouping: true })
      reject(err)
    }
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as T)
        } catch {
          fail(new ApiError(xhr.status, { code: 'bad_response', message: t('common.serverError') }))
        }
        return
      }
      fail(uploadError(xhr.status, xhr.responseText))
    })
    xhr.addEventListener('error', () => fail(new ApiError(0, { code: 'network', message: t('common.networkError') })))
    xhr.addEventListener('abort', () => reject(new ApiError(0, { code: 'aborted', message: 'aborted' })))
    opts.signal?.addEventListener('abort', () => xhr.abort())
    xhr.send(form)
  })
}
