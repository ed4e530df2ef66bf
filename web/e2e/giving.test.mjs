// 社会扶贫 against a real server: the county poverty office records a money donation of
// 1000.01 yuan, the receipt shows the 查询码 once, 300.00 and 200.01 go to two households'
// passbooks, and the first household's 资金到户 tab shows the JZ payment with its fund. On a
// phone the donor's 捐赠去向查询 with receipt number + 查询码 shows both households masked (no ID
// number anywhere) and 500.01 paid on; a wrong key gets the neutral message. A need whose
// content is markup is shown as text on /p/needs. An auditor sees the screens without any
// write button.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { apiSession, launchBrowser, newPage, phone, shot, signInOK, startServer } from './server.mjs'

const OFFICE = 'poverty_office_320921'
const AUDITOR = 'auditor_320921'
const COUNTY = '320921000000'
const XSS = '<img src=x onerror=alert(1)>'
const idNumber = /\d{17}[\dXx]/

async function closed(dlg) {
  try {
    await dlg.waitFor({ state: 'hidden' })
  } catch (e) {
    e.message += '\n--- dialog ---\n' + (await dlg.innerText().catch(() => ''))
    throw e
  }
}

// Picks an option of an Element Plus remote select by typing into it.
async function pickRemote(page, select, typed, optionText) {
  await select.click()
  await select.locator('input').first().fill(typed)
  const opt = page.locator('.el-select-dropdown__item:visible', { hasText: optionText }).first()
  await opt.waitFor()
  await opt.click()
}

const items = (b) => (Array.isArray(b) ? b : (b?.items ?? []))

describe('donations (社会扶贫)', () => {
  let server
  let browser
  let office
  let households
  let donation
  let queryKey
  const stamp = String(Date.now()).slice(-6)
  const donorName = `e2e 爱心企业 ${stamp}`

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    office = await apiSession(server.url, OFFICE)
    const r = await office.get(`/households?region=${COUNTY}&status=registered&limit=50`)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    households = items(r.body).slice(0, 2)
    assert.equal(households.length, 2, 'the demo county has registered households')
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('records a money donation, shows its receipt with the 查询码 once, and pays it on to two households', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.goto(server.url + '/social/donations')
    await page.locator('[data-test=donations-table]').waitFor()
    await page.locator('[data-test=donation-new]').click()
    const dlg = page.locator('.el-dialog[data-test=donation-dialog]')
    await dlg.waitFor()

    // a new donor, registered from the donation form
    await dlg.locator('[data-test=gf-donor-new]').click()
    const ddlg = page.locator('.el-dialog[data-test=donor-dialog]')
    await ddlg.waitFor()
    await ddlg.locator('input[data-test=df-name]').fill(donorName)
    await ddlg.locator('input[data-test=df-phone]').fill('13912345678')
    await ddlg.locator('input[data-test=df-credit]').fill(`91320921MA${stamp}XY`)
    await ddlg.locator('[data-test=df-submit]').click()
    await closed(ddlg)
    await page.waitForFunction((n) => document.querySelector('[data-test=gf-donor]')?.textContent?.includes(n), donorName)

    await dlg.locator('input[data-test=gf-amount]').fill('1000.01')
    await dlg.locator('input[data-test=gf-purpose]').fill('助学')
    await shot(page, 'giving-01-donation-form')
    await dlg.locator('[data-test=gf-submit]').click()
    await closed(dlg)

    const rdlg = page.locator('.el-dialog[data-test=receipt-dialog]')
    await rdlg.waitFor()
    await rdlg.locator('[data-test=receipt-key-warning]').waitFor()
    queryKey = (await rdlg.locator('[data-test=receipt-key]').innerText()).trim()
    assert.match(queryKey, /^[A-Z0-9]{8}$/, `query key ${queryKey}`)
    const receiptNo = (await rdlg.locator('[data-test=receipt-no]').innerText()).trim()
    assert.match(receiptNo, /^JZ\d{4}-\d+$/)
    assert.match(await rdlg.locator('[data-test=receipt-amount]').innerText(), /1,000\.01/)
    assert.match(await rdlg.locator('[data-test=receipt-capital]').innerText(), /壹仟元零壹分/)
    assert.match(await rdlg.locator('[data-test=receipt-donor]').innerText(), new RegExp(donorName))
    await shot(page, 'giving-02-receipt')
    await rdlg.locator('[data-test=receipt-close]').click()
    await page.waitForURL(/\/social\/donations\/\d+/)
    const id = Number(page.url().match(/donations\/(\d+)/)[1])
    const tr = await office.get(`/donations/${id}`)
    assert.equal(tr.status, 200)
    donation = tr.body.donation
    assert.equal(donation.receipt_no, receiptNo)
    assert.equal(donation.amount_fen, 100001)
    assert.equal(donation.query_key ?? '', '', 'the key is never sent again')
    assert.match(donation.fund_code, /^JZ-/)
    // the page no longer shows the key anywhere
    await page.locator('[data-test=donation-detail]').waitFor()
    assert.ok(!(await page.locator('body').innerText()).includes(queryKey))

    // 拨付到户: the sum is red until valid, then 300.00 + 200.01
    await page.locator('[data-test=disburse-open]').click()
    const bdlg = page.locator('.el-dialog[data-test=disburse-dialog]')
    await bdlg.waitFor()
    assert.equal(await bdlg.locator('[data-test=disburse-sum]').getAttribute('data-ok'), '0')
    const [h1, h2] = households
    await pickRemote(page, bdlg.locator('[data-test=disburse-household]'), h1.household_no, h1.head_name)
    await bdlg.locator('[data-test=disburse-add]').click()
    await pickRemote(page, bdlg.locator('[data-test=disburse-household]'), h2.household_no, h2.head_name)
    await bdlg.locator('[data-test=disburse-add]').click()
    const amounts = bdlg.locator('input[data-test=disburse-amount]')
    await amounts.nth(0).fill('900')
    await amounts.nth(1).fill('100.02')
    assert.equal(await bdlg.locator('[data-test=disburse-sum]').getAttribute('data-ok'), '0', 'over what is left')
    assert.ok(await bdlg.locator('[data-test=disburse-submit]').isDisabled())
    await shot(page, 'giving-03-disburse-over')
    await amounts.nth(0).fill('300.00')
    await amounts.nth(1).fill('200.01')
    await page.waitForFunction(() => document.querySelector('[data-test=disburse-sum]')?.getAttribute('data-ok') === '1')
    assert.match(await bdlg.locator('[data-test=disburse-sum-value]').innerText(), /500\.01/)
    await shot(page, 'giving-04-disburse-ok')
    await bdlg.locator('[data-test=disburse-submit]').click()
    await closed(bdlg)
    await page.waitForFunction(() => /500\.01/.test(document.querySelector('[data-test=donation-disbursed]')?.textContent ?? ''))
    assert.match(await page.locator('[data-test=donation-left]').innerText(), /500\.00/)
    assert.equal(await page.locator('[data-test=reached-household]').count(), 2)
    const traceRows = await page.locator('[data-test=donation-reached] .el-table__body tr').allInnerTexts()
    assert.ok(traceRows.some((r) => /(^|\s)300\.00(\s|$)/.test(r)), traceRows.join(' | '))
    assert.ok(traceRows.some((r) => /(^|\s)200\.01(\s|$)/.test(r)), traceRows.join(' | '))
    await shot(page, 'giving-05-donation-trace')

    // the first household's 资金到户 tab: the 300.00 JZ payment with its fund
    await page.locator(`[data-test=reached-household][data-household="${h1.id}"]`).click()
    await page.waitForURL(new RegExp(`/households/${h1.id}`))
    const table = page.locator('[data-test=statement-table]')
    await table.waitFor()
    const row = table.locator('.el-table__body tr', { hasText: donation.fund_code })
    await row.first().waitFor()
    assert.match(await row.first().innerText(), /300\.00/)
    await shot(page, 'giving-06-household-statement')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('shows the donor where the money went on a phone, masked, and one neutral message for a wrong key', async () => {
    assert.ok(donation && queryKey, 'the first test recorded the donation')
    const page = await newPage(browser, phone)
    await page.goto(`${server.url}/p/donation?receipt=${encodeURIComponent(donation.receipt_no)}`)
    await page.locator('[data-test=dq-key] input').fill(queryKey.toLowerCase())
    await page.locator('[data-test=dq-submit]').click()
    await page.locator('[data-test=dq-result]').waitFor()
    assert.match(await page.locator('[data-test=dq-disbursed]').innerText(), /500\.01/)
    assert.match(await page.locator('[data-test=dq-amount]').innerText(), /1,000\.01/)
    assert.equal(await page.locator('[data-test=dq-reach]').count(), 2)
    const heads = await page.locator('[data-test=dq-head]').allInnerTexts()
    for (const h of households) {
      assert.ok(!heads.includes(h.head_name) || h.head_name.length < 2, `${h.head_name} is masked`)
    }
    for (const h of heads) assert.match(h, /\*/, `${h} is masked`)
    const text = await page.locator('body').innerText()
    assert.ok(!idNumber.test(text), 'no 18-digit ID number on the page')
    assert.ok(!idNumber.test(await page.content()), 'nor in the markup')
    await shot(page, 'giving-07-phone-trace')

    await page.locator('[data-test=dq-again]').click()
    await page.locator('[data-test=dq-key] input').fill('ZZZZZZZZ')
    await page.locator('[data-test=dq-submit]').click()
    await page.locator('[data-test=dq-notfound]').waitFor()
    const neutral = await page.locator('[data-test=dq-notfound]').innerText()
    // a wrong receipt number gets the very same message
    await page.locator('[data-test=dq-receipt] input').fill('JZ1999-999999')
    await page.locator('[data-test=dq-key] input').fill(queryKey)
    await page.locator('[data-test=dq-submit]').click()
    await page.waitForTimeout(300)
    await page.locator('[data-test=dq-notfound]').waitFor()
    assert.equal(await page.locator('[data-test=dq-notfound]').innerText(), neutral)
    await shot(page, 'giving-08-phone-wrong-key')

    await page.goto(server.url + '/p/donations')
    await page.locator('[data-test=donations-summary]').waitFor()
    await page.locator('[data-test=donation-item]').first().waitFor()
    assert.ok(!idNumber.test(await page.locator('body').innerText()))
    await shot(page, 'giving-09-phone-donations')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('shows markup in a need as text on /p/needs', async () => {
    const village = households[0].region_code
    const r = await office.post('/needs', {
      region_code: village,
      household_id: households[0].id,
      title: `书包 ${stamp}`,
      content: `${XSS} 孩子上学需要一个新书包`,
      kind: 'goods',
      target_yuan: '80',
      goods: '书包 1 个',
      deadline: new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10),
    })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    const page = await newPage(browser, phone)
    const dialogs = []
    page.on('dialog', (d) => {
      dialogs.push(d.message())
      d.dismiss().catch(() => undefined)
    })
    await page.goto(server.url + '/p/needs')
    const card = page.locator('[data-test=need-card]', { hasText: `书包 ${stamp}` })
    await card.waitFor()
    assert.match(await card.locator('[data-test=need-content]').innerText(), /<img src=x onerror=alert\(1\)>/)
    assert.equal(await page.locator('img[src=x]').count(), 0, 'no element made of the text')
    assert.ok(!idNumber.test(await page.locator('body').innerText()))
    assert.ok(!(await card.innerText()).includes(households[0].head_name) || households[0].head_name.length < 2, 'the head name is masked')
    await card.scrollIntoViewIfNeeded()
    await shot(page, 'giving-10-phone-needs')
    await card.click()
    await page.waitForURL(/\/p\/needs\/\d+/)
    await page.locator('[data-test=pledge-open]').click()
    await page.locator('[data-test=pledge-form] [data-test=captcha-img]').waitFor()
    await shot(page, 'giving-11-phone-pledge-form')
    assert.deepEqual(dialogs, [], 'no script ran')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('hands goods to a household with the signed receipt uploaded, and offers it for download', async () => {
    const list = await office.get(`/donations?region=${COUNTY}&kind=goods&limit=50`)
    assert.equal(list.status, 200, JSON.stringify(list.body))
    const goods = items(list.body).find((d) => d.quantity > d.delivered_qty)
    assert.ok(goods, 'the demo county has a goods donation with something left to hand out')
    const before = goods.delivered_qty
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.goto(`${server.url}/social/donations/${goods.id}`)
    await page.locator('[data-test=donation-deliveries]').waitFor()
    await page.locator('[data-test=delivery-open]').click()
    const dlg = page.locator('.el-dialog[data-test=delivery-dialog]')
    await dlg.waitFor()
    const hh = await office.get(`/households?region=${goods.region_code}&status=registered&limit=1`)
    const h = items(hh.body)[0]
    assert.ok(h, `a registered household in ${goods.region_code}`)
    await pickRemote(page, dlg.locator('[data-test=delivery-household]'), h.household_no, h.head_name)
    await dlg.locator('input[data-test=delivery-signed-by]').fill('本人')
    await dlg.locator('input[data-test=delivery-file]').setInputFiles(new URL('./fixtures/visit-photo.jpg', import.meta.url).pathname)
    await shot(page, 'giving-12-delivery-form')
    await dlg.locator('[data-test=delivery-submit]').click()
    await closed(dlg)
    const after = await office.get(`/donations/${goods.id}`)
    assert.equal(after.body.donation.delivered_qty, before + 1)
    const link = page.locator('[data-test=delivery-download]').last()
    await link.waitFor()
    const href = await link.getAttribute('href')
    const res = await page.evaluate(async (u) => {
      const r = await fetch(u)
      return { status: r.status, type: r.headers.get('content-type'), size: (await r.arrayBuffer()).byteLength }
    }, href)
    assert.equal(res.status, 200)
    assert.ok(res.size > 1000, JSON.stringify(res))
    await shot(page, 'giving-13-deliveries')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('gives an auditor the screens without write buttons', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, AUDITOR)
    await page.goto(server.url + '/social/donations')
    await page.locator('[data-test=donations-table] .el-table__body tr').first().waitFor()
    assert.equal(await page.locator('[data-test=donation-new]').count(), 0)
    await page.goto(`${server.url}/social/donations/${donation.id}`)
    await page.locator('[data-test=donation-detail]').waitFor()
    assert.equal(await page.locator('[data-test=disburse-open]').count(), 0)
    assert.equal(await page.locator('[data-test=delivery-open]').count(), 0)
    await shot(page, 'giving-14-auditor-donation')
    await page.goto(server.url + '/social/needs')
    await page.locator('[data-test=needs-table] .el-table__body tr').first().waitFor()
    assert.equal(await page.locator('[data-test=need-new]').count(), 0)
    await page.locator('[data-test=need-link]').first().click()
    await page.locator('[data-test=need-detail]').waitFor()
    assert.equal(await page.locator('[data-test=need-close]').count(), 0)
    await shot(page, 'giving-15-auditor-need')
    await page.goto(server.url + '/social/donors')
    await page.locator('[data-test=donors-table]').waitFor()
    assert.equal(await page.locator('[data-test=donor-new]').count(), 0)
    await shot(page, 'giving-16-auditor-donors')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})
