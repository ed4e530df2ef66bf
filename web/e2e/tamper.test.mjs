// Tampering with the audit table behind the system's back is found: by the
// `audit verify` command and by the console's 校验哈希链 button.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { launchBrowser, newPage, shot, signInOK, startServer } from './server.mjs'

describe('audit hash chain tamper detection', { skip: process.env.SUNSHINE_URL ? 'needs its own server' : false }, () => {
  let server
  let browser

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  async function verifyInUI(user) {
    const page = await newPage(browser)
    await signInOK(page, server.url, user)
    await page.goto(server.url + '/audit')
    await page.locator('[data-test=audit-verify]').click()
    const result = page.locator('[data-test=verify-result]')
    await result.waitFor()
    return { page, ok: await result.getAttribute('data-ok'), text: await result.innerText() }
  }

  it('the untouched chain verifies in the UI and on the command line', async () => {
    const { page, ok, text } = await verifyInUI('auditor_city')
    assert.equal(ok, 'true', text)
    await page.context().close()
    await server.stop()
    const res = await server.run(['audit', 'verify', '--data', server.dataDir])
    assert.equal(res.code, 0, res.stdout + res.stderr)
    await server.start()
  })

  it('a changed row is named by `sunshine audit verify` and by the UI', async () => {
    await server.stop()
    const db = join(server.dataDir, 'sunshine.db')
    // The newest event, so it is on the audit table's first page (the demo writes hundreds).
    const seq = execFileSync('sqlite3', [db, 'SELECT MAX(seq) FROM audit_events']).toString().trim()
    execFileSync('sqlite3', [db, `UPDATE audit_events SET action='x' WHERE seq=${seq}`])
    assert.equal(execFileSync('sqlite3', [db, `SELECT action FROM audit_events WHERE seq=${seq}`]).toString().trim(), 'x')

    const res = await server.run(['audit', 'verify', '--data', server.dataDir])
    assert.notEqual(res.code, 0, 'verify must fail')
    assert.match(res.stdout + res.stderr, new RegExp(`seq\\D{0,3}${seq}\\b`), `names seq ${seq}: ${res.stdout}${res.stderr}`)

    await server.start()
    const { page, ok, text } = await verifyInUI('auditor_city')
    assert.equal(ok, 'false', text)
    assert.match(text, new RegExp(`第 ${seq} 号记录`), text)
    const brokenRow = page.locator('[data-test=audit-table] tr.broken-row')
    await brokenRow.waitFor()
    assert.match(await brokenRow.locator('td').nth(1).innerText(), new RegExp(`^\\s*${seq}\\s*$`))
    await shot(page, '40-audit-tampered')
    await page.context().close()
  })
})
