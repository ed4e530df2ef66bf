// 精准管理扶贫资金 against a real server: the county finance user registers a fund that bypasses
// city finance (a bad amount "1.234" is refused on its field first), files it (报备), opens the
// county finance account, allocates to it and transfers on to a village account, reverses the
// transfer and sees the balances follow; the fund's Sankey is drawn, idle money and the
// performance evaluation (with its printed form) show the fund; an auditor sees the same
// pages read-only.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { api, apiSession, launchBrowser, newPage, shot, signInOK, startServer } from './server.mjs'

const COUNTY = '320921000000'
const FINANCE = 'finance_320921'
const AUDITOR = 'auditor_320921'

async function pick(page, selectTest, text) {
  await page.locator(`[data-test=${selectTest}]`).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

// An account chooser that searches the server: type, then take the option.
async function pickAccount(page, selectTest, name) {
  await page.locator(`[data-test=${selectTest}]`).click()
  await page.locator(`[data-test=${selectTest}] input`).fill(name)
  await page.locator('.el-select-dropdown__item:visible', { hasText: name }).first().click()
}

// Waits for a dialog to close; when it stays open, the error says what the dialog shows.
async function closed(dlg) {
  try {
    await dlg.waitFor({ state: 'hidden' })
  } catch (e) {
    e.message += '\n--- dialog ---\n' + (await dlg.innerText().catch(() => ''))
    throw e
  }
}

const yuan = (s) => Number(s.replace(/[^\d.-]/g, ''))

describe('funds (精准管理扶贫资金)', () => {
  let server
  let browser
  let fin
  const stamp = String(Date.now()).slice(-6)
  const code = `E2E-${stamp}`
  const fundName = `2026年省级财政衔接资金(e2e ${stamp})`
  const financeName = `响水县财政局扶贫资金专户 ${stamp}`
  const villageName = `e2e 村集体账户 ${stamp}`
  let fundId
  let village

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    fin = await apiSession(server.url, FINANCE)
    // The village account (choosing a village in the cascader is the region pages' business).
    const towns = await fin.get(`/regions/${COUNTY}/children`)
    const villages = await fin.get(`/regions/${towns.body.items[0].code}/children`)
    const v = await fin.post('/ledger/accounts', { kind: 'village', name: villageName, region_code: villages.body.items[0].code })
    assert.equal(v.status, 201, JSON.stringify(v.body))
    village = v.body
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('finance registers a fund with an item, is told about a bad amount on its field, and files it', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, FINANCE)
    await page.locator('[data-menu-group="menu.funds"] .el-sub-menu__title').waitFor()
    await page.locator('[data-test=menu] [data-menu=fund-list]').click()
    await page.waitForURL(/\/funds$/)
    await page.locator('[data-test=funds-table]').waitFor()

    await page.locator('[data-test=fund-create]').click()
    const dlg = page.locator('[data-test=fund-dialog]')
    await dlg.waitFor()
    await dlg.locator('input[data-test=fund-code]').fill(code)
    await dlg.locator('input[data-test=fund-name]').fill(fundName)
    await pick(page, 'fund-level', '省级')
    await dlg.locator('input[data-test=fund-doc]').fill(`苏财农〔2026〕${stamp}号`)
    await dlg.locator('input[data-test=fund-amount]').fill('1.234')
    await dlg.locator('[data-test=fund-via-city] .el-radio', { hasText: '上级直达' }).click()
    await dlg.locator('textarea[data-test=fund-purpose]').fill('到户产业奖补')
    await dlg.locator('input[data-test=item-code]').fill('CY')
    await dlg.locator('input[data-test=item-name]').fill('产业奖补')
    await dlg.locator('input[data-test=item-standard]').fill('2000')
    await dlg.locator('[data-test=fund-submit]').click()
    // The error sits on the amount's own form item, not in a toast.
    const amountItem = dlg.locator('.el-form-item', { has: page.locator('input[data-test=fund-amount]') })
    await amountItem.locator('.el-form-item__error').waitFor()
    assert.match(await amountItem.locator('.el-form-item__error').innerText(), /两位小数/)
    await shot(page, 'funds-01-bad-amount')

    // The server names the same field when it refuses an amount the form let through.
    const bad = await fin.post('/funds', { code: code + 'X', name: 'x', source_level: 'province', category: 'fiscal', year: 2026, amount_yuan: '1.234', region_code: COUNTY, via_city: true, received_on: '2026-03-01', deadline: '2026-12-31', items: [] })
    assert.equal(bad.status, 400)
    assert.ok(bad.body.fields.amount_yuan)

    await dlg.locator('input[data-test=fund-amount]').fill('500,000')
    await dlg.locator('[data-test=fund-submit]').click()
    await page.waitForURL(/\/funds\/\d+$/)
    fundId = Number(new URL(page.url()).pathname.split('/').pop())
    await page.locator('[data-test=tag-unfiled]').waitFor()
    assert.equal(await page.locator('[data-fig=amount]').innerText(), '500,000.00')
    assert.match(await page.locator('[data-test=fund-items-table]').innerText(), /产业奖补[\s\S]*2,000\.00/)

    // 未报备 in red on the list, too.
    await page.goto(server.url + '/funds?unfiled=1')
    const row = page.locator('[data-test=funds-table] .el-table__row', { hasText: code })
    await row.locator('[data-test=tag-unfiled]').waitFor()
    await shot(page, 'funds-02-list-unfiled')

    await row.locator('[data-test=fund-file]').click()
    const fd = page.locator('[data-test=filing-dialog]')
    await fd.waitFor()
    await fd.locator('input[data-test=prompt-doc_no]').fill(`盐财备〔2026〕${stamp}号`)
    await fd.locator('[data-test=prompt-submit]').click()
    await closed(fd)
    await page.locator('[data-test=funds-table] .el-table__row', { hasText: code }).waitFor({ state: 'detached' })
    const f = await api(page, `/funds/${fundId}`)
    assert.equal(f.body.needs_filing, false)
    assert.ok(f.body.filed_on)
    assert.deepEqual(page.jsErrors, [])
  })

  it('finance opens the county account, allocates, transfers to a village, reverses it and sees the balances follow', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, FINANCE)

    // Open the county finance account through the dialog (the region defaults to the county).
    await page.goto(server.url + '/funds/accounts')
    await page.locator('[data-test=accounts-table]').waitFor()
    await page.locator('[data-test=account-open]').click()
    const ad = page.locator('[data-test=account-dialog]')
    await ad.waitFor()
    await pick(page, 'account-kind', '财政')
    await ad.locator('input[data-test=account-name]').fill(financeName)
    await ad.locator('[data-test=account-submit]').click()
    await page.waitForURL(/\/funds\/accounts\/\d+$/)
    const financeId = Number(new URL(page.url()).pathname.split('/').pop())

    // Allocate 300,000 from the fund's source to the county account.
    await page.goto(server.url + '/funds/transfers')
    await page.locator('[data-test=transfers-table]').waitFor()
    await page.locator('[data-test=transfer-add]').click()
    const td = page.locator('[data-test=transfer-dialog]')
    await td.waitFor()
    await pick(page, 'transfer-fund', code)
    // The fund's source account is chosen for an allocation.
    await td.locator('[data-test=transfer-from] .el-select__selected-item', { hasText: '资金来源' }).waitFor()
    await pickAccount(page, 'transfer-to', financeName)
    assert.match(await td.locator('[data-test=transfer-kind]').innerText(), /拨付/)
    await td.locator('input[data-test=transfer-amount]').fill('300000')
    await td.locator('input[data-test=transfer-doc]').fill(`响财农〔2026〕${stamp}号`)
    await td.locator('input[data-test=transfer-purpose]').fill('下达县级')
    await shot(page, 'funds-03-transfer-dialog')
    await td.locator('[data-test=transfer-submit]').click()
    await closed(td)

    // Transfer 50,000 on to the village account, from the fund's page.
    await page.goto(server.url + `/funds/${fundId}`)
    await page.locator('[data-test=fund-add-transfer]').click()
    await td.waitFor()
    await td.locator('[data-test=transfer-from] .el-select__selected-item', { hasText: '资金来源' }).waitFor()
    await pickAccount(page, 'transfer-from', financeName)
    await pickAccount(page, 'transfer-to', villageName)
    assert.match(await td.locator('[data-test=transfer-kind]').innerText(), /转拨/)
    // A bad amount is refused on its field.
    await td.locator('input[data-test=transfer-amount]').fill('1.234')
    await td.locator('[data-test=transfer-submit]').click()
    const amt = td.locator('.el-form-item', { has: page.locator('input[data-test=transfer-amount]') })
    await amt.locator('.el-form-item__error').waitFor()
    await td.locator('input[data-test=transfer-amount]').fill('50000')
    await td.locator('input[data-test=transfer-purpose]').fill('村级产业项目')
    await td.locator('[data-test=transfer-submit]').click()
    await closed(td)
    await page.locator('[data-test=fund-figures] [data-fig=issued]', { hasText: '300,000.00' }).waitFor()

    const balance = async () => {
      await page.goto(server.url + `/funds/accounts/${financeId}`)
      const cell = page.locator('[data-test=account-balance]')
      await cell.waitFor()
      return yuan(await cell.innerText())
    }
    assert.equal(await balance(), 250000)
    await page.locator('[data-test=transfers-table] .el-table__row').nth(1).waitFor()
    assert.equal(await page.locator('[data-test=transfers-table] .el-table__row').count(), 2)

    // Reverse the village transfer (the newest row) with a reason.
    const newest = page.locator('[data-test=transfers-table] .el-table__row').first()
    assert.match(await newest.innerText(), new RegExp(villageName))
    await newest.locator('[data-test=transfer-reverse]').click()
    const rd = page.locator('[data-test=reverse-dialog]')
    await rd.waitFor()
    await rd.locator('[data-test=prompt-submit]').click()
    // The reason is required.
    await rd.locator('.el-form-item__error').first().waitFor()
    await rd.locator('textarea[data-test=prompt-reason]').fill('村集体账户填错，冲回重拨')
    await rd.locator('[data-test=prompt-submit]').click()
    await closed(rd)
    await page.locator('[data-test=reversed-by]').waitFor()
    await page.locator('[data-test=reverses]').waitFor()
    await shot(page, 'funds-04-reversed')
    assert.equal(await balance(), 300000)

    // The reversal and its original link to each other.
    await page.locator('[data-test=reversed-by]').click()
    const drawer = page.locator('[data-test=transfer-drawer]')
    await drawer.locator('[data-test=drawer-reverses]').waitFor()
    await drawer.locator('[data-test=drawer-reverses]').click()
    await drawer.locator('[data-test=drawer-reversed-by]').waitFor()

    const vb = await fin.get(`/ledger/accounts/${village.id}`)
    assert.equal(vb.body.balance_fen, 0)
    assert.deepEqual(page.jsErrors, [])
  })

  it("the fund's Sankey is drawn, idle money and the evaluation list it, and the evaluation prints", async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, FINANCE)
    await page.goto(server.url + `/funds/${fundId}`)
    const canvas = page.locator('[data-test=sankey] canvas')
    await canvas.waitFor()
    const box = await canvas.boundingBox()
    assert.ok(box && box.width > 300 && box.height > 200, JSON.stringify(box))
    const nodes = page.locator('[data-test=trace-nodes]')
    await nodes.waitFor()
    assert.match(await nodes.innerText(), new RegExp(financeName))
    await page.locator('[data-test=fund-trace]').scrollIntoViewIfNeeded()
    await shot(page, 'funds-05-sankey')
    await page.locator('[data-test=fund-progress]').scrollIntoViewIfNeeded()
    await page.locator('[data-test=progress-chart] canvas').waitFor()
    await shot(page, 'funds-06-progress')

    await page.goto(server.url + '/funds/idle?min_days=0')
    await page.locator('[data-test=idle-table]').waitFor()
    await page.locator('[data-test=idle-table] .el-table__row', { hasText: financeName }).waitFor()

    await page.goto(server.url + '/funds/evaluation?year=2026')
    const evRow = page.locator('[data-test=eval-table] .el-table__row', { hasText: code })
    await evRow.waitFor()
    await shot(page, 'funds-07-evaluation')
    const xlsx = await page.locator('[data-test=eval-xlsx]').getAttribute('href')
    const res = await page.evaluate(async (u) => {
      const r = await fetch(u)
      return { status: r.status, type: r.headers.get('content-type') ?? '', size: (await r.arrayBuffer()).byteLength }
    }, xlsx)
    assert.equal(res.status, 200, JSON.stringify(res))
    assert.ok(res.size > 1000)

    const href = await page.locator('[data-test=eval-print]').getAttribute('href')
    await page.goto(server.url + href)
    await page.locator('[data-test=print-sheet][data-ready=true]').waitFor()
    assert.match(await page.locator('[data-test=eval-print]').innerText(), new RegExp(code))
    await shot(page, 'funds-08-evaluation-print')
    assert.deepEqual(page.jsErrors, [])
  })

  it('an auditor reads the same pages without any button that writes', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, AUDITOR)
    await page.locator('[data-test=menu] [data-menu=fund-list]').waitFor()
    await page.goto(server.url + '/funds')
    await page.locator('[data-test=funds-table] .el-table__row', { hasText: code }).waitFor()
    assert.equal(await page.locator('[data-test=fund-create]').count(), 0)
    await page.goto(server.url + `/funds/${fundId}`)
    await page.locator('[data-test=sankey] canvas').waitFor()
    assert.equal(await page.locator('[data-test=fund-add-transfer]').count(), 0)
    assert.equal(await page.locator('[data-test=fund-file]').count(), 0)
    await page.goto(server.url + '/funds/transfers')
    await page.locator('[data-test=transfers-table] .el-table__row').first().waitFor()
    assert.equal(await page.locator('[data-test=transfer-add]').count(), 0)
    assert.equal(await page.locator('[data-test=transfer-reverse]').count(), 0)
    await page.goto(server.url + '/funds/accounts')
    await page.locator('[data-test=accounts-table] .el-table__row').first().waitFor()
    assert.equal(await page.locator('[data-test=account-open]').count(), 0)
    await shot(page, 'funds-09-auditor-accounts')
    const w = await page.evaluate(async () => (await fetch('/api/v1/funds', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status)
    assert.ok(w === 403 || w === 401, String(w))
    assert.deepEqual(page.jsErrors, [])
  })

  it("the household file's 资金到户 tab shows each payment with its way back to the fund", async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, FINANCE)
    // A household the demo paid: the passbook of the newest payment.
    const pay = await fin.get('/ledger/transfers?kind=payment&limit=1')
    assert.equal(pay.status, 200)
    assert.ok(pay.body.items.length, 'the demo has payments')
    const pb = await fin.get(`/ledger/accounts/${pay.body.items[0].to_account}`)
    assert.ok(pb.body.household_id)
    const st = await fin.get(`/households/${pb.body.household_id}/statement`)
    await page.goto(server.url + `/households/${pb.body.household_id}`)
    await page.locator('.el-tabs__item', { hasText: '资金到户' }).click()
    const table = page.locator('[data-test=household-funds] [data-test=statement-table]')
    await table.locator('.el-table__row').first().waitFor()
    assert.equal(await table.locator('.el-table__row').count(), st.body.entries.length)
    const path = await table.locator('[data-test=statement-path]').first().innerText()
    assert.match(path, /资金来源/)
    assert.match(path, /农户一折通/)
    const total = await page.locator('[data-test=statement-total]').innerText()
    assert.equal(Math.round(yuan(total) * 100), st.body.total_fen)
    await shot(page, 'funds-10-household-statement')
    assert.deepEqual(page.jsErrors, [])
  })
})
