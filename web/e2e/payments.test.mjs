// 资金直达 against a real server. Finance of 响水县 registers a county fund and allocates it to
// the county finance account (through the API); the county poverty office drafts a plan from a
// rule for one village in the console (a list with a bad row is refused whole), and submits it;
// finance sends it back once with a reason, approves it when submitted again (a second, stale tab
// is told someone else already did), writes the bank
// batch, downloads its file, answers it with a return file in which one line failed
// "账户已销户", and uploads it; the failed line waits in the re-issue queue, is re-issued to a
// new account and paid in a second batch — after a return file of the first batch has been
// refused for the second one with its reason. The plan ends done. Last, the generic import page
// takes a `payments` file (资金发放) and the payment is in the ledger.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { PASSWORD, allUsers, apiSession, demoUser, launchBrowser, newPage, phone, shot, signInOK, startServer } from './server.mjs'

const COUNTY = '320921000000'
const FAILED_REASON = '账户已销户'

// Today's year in Asia/Shanghai.
const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()))

// A small CSV reader (quotes, a BOM) for the bank file the server writes.
function parseCSV(text) {
  const rows = []
  let row = []
  let cell = ''
  let quoted = false
  const s = text.replace(/^\uFEFF/, '')
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(cell)
      cell = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++
      row.push(cell)
      if (row.some((x) => x !== '')) rows.push(row)
      row = []
      cell = ''
    } else cell += c
  }
  row.push(cell)
  if (row.some((x) => x !== '')) rows.push(row)
  const [head, ...body] = rows
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h.trim(), (r[i] ?? '').trim()])))
}

// The bank's answer to a batch file: every line paid, except those in failed (line_no → reason).
function returnFile(lines, failed = {}) {
  const out = ['batch_ref,line_no,account_no,account_holder,amount_yuan,status,reason']
  for (const l of lines) {
    const reason = failed[l.line_no]
    out.push([l.batch_ref, l.line_no, l.account_no, l.account_holder, l.amount_yuan, reason ? 'failed' : 'success', reason ?? ''].join(','))
  }
  return Buffer.from(out.join('\n') + '\n', 'utf8')
}

// A PUT as a user (the shared apiSession has no PUT): sign in, send, answer {status, body}.
async function putAs(base, username, path, body) {
  const login = await fetch(base + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  })
  assert.equal(login.status, 200)
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]
  const { csrf_token: csrf } = await login.json()
  const r = await fetch(base + '/api/v1' + path, {
    method: 'PUT',
    headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await r.text()
  return { status: r.status, body: text ? JSON.parse(text) : null }
}

async function pick(page, selectTest, text) {
  await page.locator(`[data-test=${selectTest}]`).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

async function confirmBox(page) {
  const box = page.locator('.el-message-box:visible')
  await box.waitFor()
  await box.locator('.el-message-box__btns .el-button--primary').click()
}

async function openMenu(page, key) {
  const entry = page.locator(`[data-test=menu] [data-menu=${key}]`)
  if (!(await entry.isVisible())) await page.locator('[data-menu-group="menu.funds"] .el-sub-menu__title').click()
  await entry.click()
}

// Downloads a batch's CSV through the console's link and reads it.
async function downloadBatch(page, row) {
  const [dl] = await Promise.all([page.waitForEvent('download'), row.locator('[data-test=batch-csv]').click()])
  const lines = parseCSV(readFileSync(await dl.path(), 'utf8'))
  assert.ok(lines.length > 0, 'the bank file has lines')
  return lines
}

async function uploadReturn(page, row, buffer, name) {
  await row.locator('[data-test=batch-return]').click()
  const dlg = page.locator('[data-test=return-dialog]')
  await dlg.waitFor()
  await dlg.locator('input[data-test=upload-file]').setInputFiles({ name, mimeType: 'text/csv', buffer })
  await dlg.locator('[data-test=upload-submit]').click()
  await dlg.locator('[data-test=upload-report]').waitFor({ timeout: 30000 })
  return dlg
}

describe('direct payment (资金直达)', () => {
  let server
  let browser
  let office
  let finance
  let officeUser
  let financeUser
  let fund
  let village
  let planId
  let firstBatchReturn
  let failedLine
  let noAccount

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    const users = await allUsers(server.url)
    officeUser = demoUser(users, 'poverty_office', COUNTY)
    financeUser = demoUser(users, 'finance', COUNTY)
    office = await apiSession(server.url, officeUser)
    finance = await apiSession(server.url, financeUser)

    // Finance registers the fund and allocates it to the county finance account.
    const code = `E2E-PAY-${Date.now() % 1000000}`
    const f = await finance.post('/funds', {
      code,
      name: '资金直达测试补助',
      source_level: 'county',
      category: 'fiscal',
      year,
      doc_no: `响财农〔${year}〕99号`,
      amount_yuan: '100000',
      purpose: '低收入农户生活补助',
      region_code: COUNTY,
      via_city: false,
      received_on: `${year}-01-05`,
      deadline: `${year}-12-31`,
      items: [{ code: 'e2e', name: '生活补助', basis: 'person', standard_yuan: '50' }],
    })
    assert.equal(f.status, 201, JSON.stringify(f.body))
    fund = f.body
    const accts = await finance.get(`/ledger/accounts?kind=finance&region=${COUNTY}&limit=100`)
    assert.equal(accts.status, 200, JSON.stringify(accts.body))
    let fin = accts.body.items.find((a) => a.kind === 'finance' && a.region_code === COUNTY)
    if (!fin) {
      const r = await finance.post('/ledger/accounts', { kind: 'finance', name: '响水县财政局', region_code: COUNTY })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      fin = r.body
    }
    const tr = await finance.post('/ledger/transfers', {
      fund_id: fund.id,
      from_account: fund.source_account,
      to_account: fin.id,
      amount_yuan: '100000',
      on_date: `${year}-01-06`,
      doc_no: 'E2E',
      purpose: '资金直达测试拨付',
    })
    assert.equal(tr.status, 201, JSON.stringify(tr.body))

    // A village with a handful of registered households.
    const hh = await office.get(`/households?region=${COUNTY}&status=registered&limit=100`)
    assert.equal(hh.status, 200, JSON.stringify(hh.body))
    const count = {}
    for (const h of hh.body.items) count[h.region_code] = (count[h.region_code] ?? 0) + 1
    const code12 = Object.entries(count)
      .filter(([, n]) => n >= 4)
      .sort((a, b) => a[1] - b[1])[0]?.[0]
    assert.ok(code12, 'a village with at least four registered households')
    village = (await office.get(`/regions/${code12}`)).body
    village.town = (await office.get(`/regions/${code12.slice(0, 9)}000`)).body

    // One household of the village has no passbook account on file: the plan must skip it.
    const first = hh.body.items.find((h) => h.region_code === code12)
    const rec = (await office.get(`/households/${first.id}`)).body.household
    const keys = ['household_no', 'region_code', 'group_name', 'head_name', 'head_id_number', 'address', 'phone', 'household_type', 'causes', 'bank', 'income', 'guarantees']
    const input = Object.fromEntries(keys.map((k) => [k, rec[k]]))
    const put = await putAs(server.url, officeUser, `/households/${first.id}`, { version: rec.version, household: { ...input, account_no: '' } })
    assert.equal(put.status, 200, JSON.stringify(put.body))
    noAccount = rec.household_no
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('the poverty office drafts a plan from the rule for one village and submits it', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, officeUser)
    await openMenu(page, 'pay-plans')
    await page.waitForURL(/\/payments\/plans$/)
    await page.locator('[data-test=plans-table]').waitFor()

    await page.locator('[data-test=plan-create]').click()
    const dlg = page.locator('[data-test=plan-create-dialog]')
    await dlg.waitFor()
    await pick(page, 'plan-fund', fund.code)
    await dlg.locator('[data-test=plan-item-hint]').waitFor()
    assert.match(await dlg.locator('[data-test=plan-item-hint]').innerText(), /50\.00 元 · 按人/)
    await dlg.locator('input[data-test=plan-period]').fill(`${year}-06`)
    await dlg.locator('[data-test=plan-region] .el-cascader').click()
    const panel = page.locator('.el-cascader__dropdown:visible')
    await panel.locator('.el-cascader-node', { hasText: '响水县' }).locator('.el-cascader-node__label').click()
    await panel.locator('.el-cascader-node', { hasText: village.town.name }).locator('.el-cascader-node__label').click()
    const vnode = panel.locator('.el-cascader-node', { hasText: village.name })
    await vnode.waitFor()
    await vnode.locator('.el-radio').click()
    await page.keyboard.press('Escape')
    await dlg.locator('input[data-test=plan-title]').fill(`${village.name}${year}年6月生活补助`)
    await dlg.locator('[data-test=plan-create-submit]').click()
    const summary = dlg.locator('[data-test=plan-create-summary]')
    await summary.waitFor({ timeout: 30000 })
    const m = /已生成 (\d+) 笔，合计 ([\d,.]+) 元/.exec(await summary.innerText())
    assert.ok(m, await summary.innerText())
    assert.ok(Number(m[1]) >= 2, `at least two lines, got ${m[1]}`)
    // the household without an account is listed with the reason
    const skipped = dlg.locator('[data-test=plan-skipped] .el-table__body tr', { hasText: noAccount })
    await skipped.waitFor()
    assert.match(await skipped.innerText(), /账/)
    await shot(page, 'pay-01-plan-created')

    await dlg.locator('[data-test=plan-create-open]').click()
    await page.waitForURL(/\/payments\/plans\/\d+$/)
    planId = Number(new URL(page.url()).pathname.split('/').pop())
    const plan = (await office.get(`/plans/${planId}`)).body
    assert.equal(plan.status, 'draft')
    assert.equal(plan.region_code, village.code)
    assert.equal(plan.lines, Number(m[1]))
    // every line is the standard times the household's members: a multiple of 50 yuan
    const lines = (await office.get(`/plans/${planId}/lines?limit=100`)).body.items
    assert.equal(lines.length, plan.lines)
    for (const l of lines) assert.equal(l.amount_fen % 5000, 0, JSON.stringify(l))
    await page.locator('[data-test=lines-table] .el-table__body tr').first().waitFor()
    // ID numbers and accounts are masked in the lines table
    const idCell = await page.locator('[data-test=line-id-number]').first().innerText()
    assert.match(idCell, /\*/)
    assert.match(await page.locator('[data-test=line-account]').first().innerText(), /\*/)

    // A list with a broken row is refused whole: the rejected rows are listed, the lines stay.
    await page.locator('[data-test=plan-import]').click()
    const imp = page.locator('[data-test=lines-import-dialog]')
    await imp.waitFor()
    const bad = ['身份证号,姓名,金额(元),开户银行,一折通账号,账户户名', '12345,无名,100,响水农商行,6228480000000000001,无名', ''].join('\n')
    await imp.locator('input[data-test=upload-file]').setInputFiles({ name: 'lines-bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad, 'utf8') })
    await imp.locator('[data-test=upload-submit]').click()
    await imp.locator('[data-test=upload-rejected] .el-table__body tr').first().waitFor({ timeout: 30000 })
    assert.equal(await imp.locator('[data-test=upload-report]').getAttribute('data-accepted'), 'false')
    await shot(page, 'pay-02-import-rejected')
    await imp.locator('.el-dialog__footer button', { hasText: '关闭' }).click()
    assert.equal((await office.get(`/plans/${planId}`)).body.lines, plan.lines)

    await page.locator('[data-test=plan-steps]').waitFor()
    await shot(page, 'pay-03-plan-draft')
    await page.locator('[data-test=plan-submit]').click()
    await confirmBox(page)
    await page.locator('[data-test=plan-status][data-status=submitted]').waitFor()
    assert.equal(await page.locator('[data-test=plan-submit]').count(), 0)
    assert.equal(await page.locator('[data-test=plan-approve]').count(), 0, 'the poverty office cannot approve')
    await page.context().close()
  })

  it('finance rejects the plan once, then approves it again submitted (a stale second tab is told), writes the batch and reconciles a return with one failed line', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, financeUser)
    await page.goto(`${server.url}/payments/plans/${planId}`)
    await page.locator('[data-test=plan-status][data-status=submitted]').waitFor()

    // 退回 with a reason; the poverty office submits it again.
    const reason = '请核对在册人数后重新提交'
    await page.locator('[data-test=plan-reject]').click()
    const rj = page.locator('[data-test=plan-reject-dialog]')
    await rj.waitFor()
    await rj.locator('textarea[data-test=prompt-reason]').fill(reason)
    await rj.locator('[data-test=prompt-submit]').click()
    await page.locator('[data-test=plan-status][data-status=rejected]').waitFor()
    await page.locator('[data-test=plan-rejected-note]', { hasText: reason }).waitFor()
    assert.equal(await page.locator('[data-test=plan-approve]').count(), 0)
    await shot(page, 'pay-04a-plan-rejected')
    const rejected = (await office.get(`/plans/${planId}`)).body
    assert.equal(rejected.note, reason)
    const again = await office.post(`/plans/${planId}/submit`, { version: rejected.version })
    assert.equal(again.status, 200, JSON.stringify(again.body))
    await page.locator('[data-test=plan-refresh]').click()
    await page.locator('[data-test=plan-status][data-status=submitted]').waitFor()
    // The same plan in a second tab, opened before the approval.
    const stale = await page.context().newPage()
    await stale.goto(`${server.url}/payments/plans/${planId}`)
    await stale.locator('[data-test=plan-approve]').waitFor()

    await page.locator('[data-test=plan-approve]').click()
    await confirmBox(page)
    await page.locator('[data-test=plan-status][data-status=approved]').waitFor()

    await stale.locator('[data-test=plan-approve]').click()
    await confirmBox(stale)
    await stale.locator('.el-message--warning', { hasText: '已被他人处理，请刷新' }).waitFor()
    await shot(stale, 'pay-04-approve-stale')
    await stale.locator('[data-test=plan-status][data-status=approved]').waitFor() // it refreshed
    await stale.close()

    await page.locator('[data-test=plan-batch]').click()
    const row = page.locator('[data-test=batches-table] .el-table__body tr').first()
    await row.waitFor()
    const plan = (await finance.get(`/plans/${planId}`)).body
    const lines = await downloadBatch(page, row)
    assert.equal(lines.length, plan.lines)
    assert.deepEqual(
      lines.map((l) => Number(l.line_no)),
      lines.map((_, i) => i + 1),
    )
    const batches = (await finance.get(`/batches?plan=${planId}`)).body.items
    assert.equal(batches.length, 1)
    assert.equal(lines[0].batch_ref, batches[0].batch_ref)
    // the Excel file is there too
    const xlsx = await page.evaluate(async (u) => {
      const r = await fetch(u)
      const b = new Uint8Array(await r.arrayBuffer())
      return { status: r.status, magic: String.fromCharCode(b[0], b[1]) }
    }, `/api/v1/batches/${batches[0].id}/file?format=xlsx`)
    assert.deepEqual(xlsx, { status: 200, magic: 'PK' })

    failedLine = lines[0]
    firstBatchReturn = returnFile(lines, { [failedLine.line_no]: FAILED_REASON })
    const dlg = await uploadReturn(page, row, firstBatchReturn, 'return-1.csv')
    const sum = await dlg.locator('[data-test=upload-summary]').innerText()
    assert.match(sum, new RegExp(`到账 ${lines.length - 1} 笔`))
    assert.match(sum, /失败 1 笔/)
    await shot(page, 'pay-05-reconciled')
    await dlg.locator('.el-dialog__footer button', { hasText: '关闭' }).click()

    const after = (await finance.get(`/plans/${planId}`)).body
    assert.equal(after.status, 'paying')
    assert.equal(after.paid_lines, lines.length - 1)
    assert.equal(after.failed_lines, 1)
    await page.locator('[data-test=plan-status][data-status=paying]').waitFor()
    await page.locator('.el-tabs__item', { hasText: '发放明细' }).click()
    await page.locator('[data-test=line-reason]', { hasText: FAILED_REASON }).waitFor()
    await shot(page, 'pay-06-plan-paying')
    await page.context().close()
  })

  it('the failed line is re-issued to a new account and paid in a second batch; a return of another batch is refused', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, financeUser)
    await openMenu(page, 'pay-reissue')
    await page.waitForURL(/\/payments\/reissue$/)
    const queue = (await finance.get(`/payments/reissue?region=${village.code}&limit=100`)).body.items.filter((l) => l.plan_id === planId)
    assert.equal(queue.length, 1)
    const line = queue[0]
    assert.equal(line.fail_reason, FAILED_REASON)
    assert.equal(line.payee_name, failedLine.payee_name)
    const qrow = page.locator('[data-test=reissue-table] .el-table__body tr', { has: page.locator(`[data-test=reissue-open][data-line="${line.id}"]`) })
    await qrow.waitFor()
    assert.match(await qrow.locator('[data-test=reissue-reason]').innerText(), new RegExp(FAILED_REASON))
    await shot(page, 'pay-07-reissue-queue')

    await qrow.locator('[data-test=reissue-open]').click()
    const dlg = page.locator('[data-test=reissue-dialog]')
    await dlg.waitFor()
    const acct = dlg.locator('input[data-test=reissue-account]')
    // prefilled from the household's file
    await page.waitForFunction(() => document.querySelector('input[data-test=reissue-account]')?.value !== '')
    assert.match(await acct.inputValue(), /^\d{6,32}$/)
    const newAccount = '6228481' + String(Date.now()).slice(-12)
    await acct.fill(newAccount)
    await dlg.locator('textarea[data-test=reissue-note]').fill('农户原一折通已销户，已换新卡')
    await shot(page, 'pay-08-reissue-dialog')
    await dlg.locator('[data-test=reissue-submit]').click()
    await dlg.waitFor({ state: 'hidden' })
    await qrow.waitFor({ state: 'detached' })
    assert.equal((await finance.get(`/payments/reissue?region=${village.code}&limit=100`)).body.items.filter((l) => l.plan_id === planId).length, 0)

    // The second batch: the one re-issued line, to the new account.
    await page.goto(`${server.url}/payments/plans/${planId}`)
    await page.locator('[data-test=plan-batch]').click()
    await page.locator('[data-test=batches-table] .el-table__body tr').nth(1).waitFor()
    const batches = (await finance.get(`/batches?plan=${planId}`)).body.items
    assert.equal(batches.length, 2)
    const second = batches.find((b) => b.status === 'sent')
    assert.equal(second.lines, 1)
    const row = page.locator('[data-test=batches-table] .el-table__body tr', { has: page.locator(`[data-test=batch-return][data-batch="${second.id}"]`) })
    const lines = await downloadBatch(page, row)
    assert.equal(lines.length, 1)
    assert.equal(lines[0].batch_ref, second.batch_ref)
    assert.equal(lines[0].account_no, newAccount)

    // The first batch's return file uploaded for the second batch: refused, nothing booked.
    let rdlg = await uploadReturn(page, row, firstBatchReturn, 'return-1-again.csv')
    assert.equal(await rdlg.locator('[data-test=upload-report]').getAttribute('data-accepted'), 'false')
    const reasons = await rdlg.locator('[data-test=upload-rejected] .el-table__body').innerText()
    assert.ok(reasons.length > 0)
    await shot(page, 'pay-09-return-other-batch')
    await rdlg.locator('.el-dialog__footer button', { hasText: '关闭' }).click()
    assert.equal((await finance.get(`/batches/${second.id}`)).body.status, 'sent')
    assert.equal((await finance.get(`/plans/${planId}`)).body.status, 'paying')

    rdlg = await uploadReturn(page, row, returnFile(lines), 'return-2.csv')
    assert.match(await rdlg.locator('[data-test=upload-summary]').innerText(), /到账 1 笔/)
    await rdlg.locator('.el-dialog__footer button', { hasText: '关闭' }).click()

    const done = (await finance.get(`/plans/${planId}`)).body
    assert.equal(done.status, 'done')
    assert.equal(done.paid_lines, done.lines)
    assert.equal(done.paid_fen, done.total_fen)
    await page.locator('[data-test=plan-status][data-status=done]').waitFor()
    await shot(page, 'pay-10-plan-done')
    // The same page in English.
    await page.evaluate(() => localStorage.setItem('sunshine.locale', 'en'))
    await page.reload()
    await page.locator('[data-test=plan-status][data-status=done]').waitFor()
    assert.equal(await page.locator('[data-test=plan-status]').innerText(), 'Done')
    await shot(page, 'pay-10b-plan-done-en')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()

    // The plan list on a phone.
    const mobile = await newPage(browser, phone)
    await signInOK(mobile, server.url, financeUser)
    await mobile.goto(`${server.url}/payments/plans`)
    await mobile.locator(`[data-test=plan-open][data-plan="${planId}"]`).waitFor()
    await shot(mobile, 'pay-10c-plans-phone')
    assert.deepEqual(mobile.jsErrors, [])
    await mobile.context().close()
  })

  it('the generic import page takes a payments file (资金发放) and books it in the ledger', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, financeUser)
    const line = (await finance.get(`/plans/${planId}/lines?limit=1`)).body.items[0]
    const file = (await finance.get(`/households/${line.household_id}`)).body.household
    const ref = `E2E-IMP-${Date.now()}`
    const csv = [
      'payment_ref,fund_code,item_code,period,payee_id_number,payee_name,bank,account_no,account_holder,amount_yuan,paid_on,region_code',
      [ref, fund.code, 'e2e', `${year}-07`, file.head_id_number, file.head_name, file.bank, file.account_no, file.head_name, '50.00', `${year}-07-10`, file.region_code].join(','),
      '',
    ].join('\n')
    await page.goto(`${server.url}/exchange?kind=payments`)
    const radio = page.locator('[data-test=import-kind] [data-kind=payments]')
    await radio.waitFor()
    assert.match(await radio.innerText(), /资金发放/)
    await page.locator('input[data-test=import-file]').setInputFiles({ name: 'payments.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') })
    await page.locator('[data-test=import-start]').click()
    const report = page.locator('[data-test=import-report]')
    await report.waitFor({ timeout: 30000 })
    assert.equal(await report.getAttribute('data-committed'), 'true', await report.innerText())
    await shot(page, 'pay-11-import-payments')
    const booked = (await finance.get(`/ledger/transfers?fund=${fund.id}&kind=payment&limit=100`)).body.items.filter((t) => t.ref === ref)
    assert.equal(booked.length, 1)
    assert.equal(booked[0].amount_fen, 5000)
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})
