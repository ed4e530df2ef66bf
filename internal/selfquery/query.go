package selfquery

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"sunshine/internal/audit"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/mask"
)

// Channels a query comes from (as the complaint desk names them).
const (
	ChannelPortal = "portal"
	ChannelKiosk  = "kiosk"
)

// QueryInput is the public's question: whose household, and the captcha's proof.
type QueryInput struct {
	IDNumber      string `json:"id_number"`
	Name          string `json:"name"`
	CaptchaToken  string `json:"captcha_token"`
	CaptchaAnswer Answer `json:"captcha_answer"`
	// Channel is portal (the default) or kiosk: only what the audit trail names.
	Channel string `json:"channel,omitempty"`
}

// Answer is the captcha answer as a JSON string or a JSON integer (a keypad sends either).
type Answer string

// UnmarshalJSON accepts "12" and 12.
func (a *Answer) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = Answer(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errs.Field("captcha_answer", "应为数字")
	}
	*a = Answer(n.String())
	return nil
}

// Result is the answer to a query. Found false carries nothing else, whatever did not match.
type Result struct {
	Found bool `json:"found"`
	*Detail
}

// Detail is what a matching pair sees of its household.
type Detail struct {
	IDNumber  string    `json:"id_number"` // masked: 320921********123X
	Household Household `json:"household"`
	Helper    *Helper   `json:"helper"`
	TotalFen  int64     `json:"total_fen"` // payments not reversed
	Payments  []Payment `json:"payments"`
}

// Household is the household's place and standing.
type Household struct {
	VillageCode  string `json:"village_code"`
	VillageName  string `json:"village_name"`
	TownName     string `json:"town_name"`
	Status       string `json:"status"`
	StatusLabel  string `json:"status_label"`
	Type         string `json:"household_type"`
	TypeLabel    string `json:"household_type_label"`
	MembersCount int    `json:"members_count"`
	RegisteredOn string `json:"registered_on"`
	ExitedOn     string `json:"exited_on"`
	householdID  int64
}

// Helper is the household's current helper (帮扶责任人): the phone masked.
type Helper struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// Payment is one payment into a passbook of the household, newest first.
type Payment struct {
	OnDate    string `json:"on_date"`
	FundName  string `json:"fund_name"`
	ItemName  string `json:"item_name"`
	Period    string `json:"period"`
	AmountFen int64  `json:"amount_fen"`
	Reversed  bool   `json:"reversed"` // 已冲销: the money was taken back
}

var (
	statusLabels = map[string]string{"applying": "申请纳入", "registered": "在档", "exited": "已脱贫", "removed": "已核销"}
	typeLabels   = map[string]string{"dibao": "低保户", "tekun": "特困供养", "general": "一般低收入户"}
)

// outcome is how a query ended; the errors are returned after the transaction committed, so
// a refused captcha still spends its nonce and counts against the client.
type outcome int

const (
	answered outcome = iota
	throttledClient
	throttledID
	captchaExpired
	captchaUsed
	captchaWrong
)

func (o outcome) err(s *Service) error {
	switch o {
	case throttledClient:
		return errs.E(errs.Throttled, "查询过于频繁,请一小时后再试(每个网络地址每小时最多查询 %d 次)", s.clientLimit())
	case throttledID:
		return errs.E(errs.Throttled, "该身份证号查询过于频繁,请一小时后再试(每个身份证号每小时最多查询 %d 次)", s.idLimit())
	case captchaExpired:
		return errCaptchaExpired
	case captchaUsed:
		return errCaptchaUsed
	case captchaWrong:
		return errCaptchaWrong
	}
	return nil
}

// clean validates the input and returns the normalised ID number, name and answer.
func (in QueryInput) clean(now time.Time) (id, name, answer string, t token, err error) {
	v := errs.Validation{}
	id = strings.ToUpper(strings.TrimSpace(in.IDNumber))
	if _, perr := idcard.Parse(id, now); perr != nil {
		v.Add("id_number", "身份证号格式不正确,请核对后重新输入")
	}
	name = strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 30 || !utf8.ValidString(name) {
		v.Add("name", "请填写姓名(不超过 30 字)")
	}
	var ok bool
	if answer, ok = normAnswer(string(in.CaptchaAnswer)); !ok {
		v.Add("captcha_answer", "请填写验证码的计算结果")
	}
	if t, ok = parseToken(in.CaptchaToken); !ok {
		v.Add("captcha_token", "验证码无效,请重新获取")
	}
	if in.Channel != "" && in.Channel != ChannelPortal && in.Channel != ChannelKiosk {
		v.Add("channel", "应为 portal 或 kiosk")
	}
	return id, name, answer, t, v.Err()
}

// Query answers an own-household query from clientAddr. Over a limit it fails with throttled
// (429); a captcha that is wrong, expired or spent fails with invalid; otherwise the answer is
// Found with the household, or just Found false when the pair does not match an active
// member, with the same lookups done either way.
func (s *Service) Query(ctx context.Context, clientAddr string, in QueryInput) (Result, error) {
	id, name, answer, tok, err := in.clean(s.DB.Clock())
	if err != nil {
		return Result{}, err
	}
	secret, err := s.installSecret(ctx)
	if err != nil {
		return Result{}, err
	}
	channel := in.Channel
	if channel == "" {
		channel = ChannelPortal
	}
	clientKey, idKey := keyed(secret, "client", clientAddr), keyed(secret, "id", id)
	// The captcha is checked before the database is touched; a good one earns the lookup,
	// done on a reader outside the write transaction. The writes (the limiter, the nonce,
	// the audit record) join the next group commit (batch.go), and the answer waits for it.
	now := s.DB.Clock()
	expired := tok.expiry <= now.Unix()
	want := tok.sign(secret, answer)
	solved := !expired && hmac.Equal(want[:], tok.mac[:])
	var d Detail
	var found bool
	if solved {
		if d, found, err = lookup(ctx, s.DB.Reader(), id, name); err != nil {
			return Result{}, err
		}
	}
	j := &job{clientKey: clientKey, idKey: idKey, nonce: b64.EncodeToString(tok.nonce[:]), expiry: tok.expiry,
		expired: expired, solved: solved, found: found, idNumber: idcard.Mask(id), channel: channel}
	if found {
		j.householdID, j.villageCode = d.Household.householdID, d.Household.VillageCode
	}
	out, err := s.commit(ctx, j)
	if err != nil {
		return Result{}, err
	}
	if err := out.err(s); err != nil {
		return Result{}, err
	}
	if !found {
		return Result{}, nil
	}
	return Result{Found: true, Detail: &d}, nil
}

// publicActor is who the audit trail names for the public (as the complaint desk does): never
// their address.
func publicActor(channel string) audit.Actor {
	return audit.Actor{ID: 0, Name: "公众(" + channel + ")"}
}

// hit counts one query against a key unless the key already has limit queries in the last
// hour; it reports whether the query may go on.
func (s *Service) hit(ctx context.Context, tx *db.Tx, kind, key string, limit int) (bool, error) {
	if tx.Dialect() == db.Postgres {
		// One key's queries are counted and written one at a time (SQLite has a single writer).
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(?))`, "selfquery:"+kind+":"+key); err != nil {
			return false, err
		}
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO selfquery_hits (kind, key_hash, at) SELECT ?, ?, ?
		WHERE (SELECT COUNT(*) FROM selfquery_hits WHERE kind = ? AND key_hash = ? AND at >= ?) < ?`,
		kind, key, db.Time(tx.Now), kind, key, db.Time(tx.Now.Add(-time.Hour)), limit)
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

// prune drops spent nonces past their expiry and hits older than the window, at most once a
// minute.
func (s *Service) prune(ctx context.Context, tx *db.Tx) error {
	now := tx.Now.Unix()
	last := s.pruned.Load()
	if now-last < 60 && now >= last || !s.pruned.CompareAndSwap(last, now) {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM captcha_nonces WHERE expires_at < ?`, db.Time(tx.Now)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM selfquery_hits WHERE at < ?`, db.Time(tx.Now.Add(-time.Hour)))
	return err
}

// param is a bound parameter the query planner must not look into. SQLite is built with
// STAT4: a "column = ?" on an analysed column makes the planner read the bound value, and
// such a statement is re-parsed and re-planned on every execution with a new value (its
// prepared statement never reused). "+?" is the same value with no use of the index lost,
// and plans once; PostgreSQL has no unary plus for text and plans its own way.
func param(q db.Queryer) string {
	if q.Dialect() == db.SQLite {
		return "+?"
	}
	return "?"
}

// lookup finds the household of the active member with that ID number and name. The same
// two queries run whether or not the pair matches: the member with their household and helper
// (the name compared in constant time), then the payments, of household 0 (none) when the
// pair does not match, so a wrong name costs what an unknown ID number costs.
func lookup(ctx context.Context, q db.Queryer, id, name string) (Detail, bool, error) {
	d := Detail{IDNumber: idcard.Mask(id), Payments: []Payment{}}
	h := &d.Household
	var stored string
	var helperName, helperPhone, regOn, exitOn sql.NullString
	err := q.QueryRowContext(ctx, `SELECT m.name, h.id, h.region_code, COALESCE(v.name, ''), COALESCE(t.name, ''),
		h.status, h.household_type, h.members_count, h.registered_on, h.exited_on, hp.name, hp.phone
		FROM members m JOIN households h ON h.id = m.household_id
		LEFT JOIN regions v ON v.code = h.region_code LEFT JOIN regions t ON t.code = v.parent_code
		LEFT JOIN assignments a ON a.household_id = h.id AND a.to_date IS NULL LEFT JOIN helpers hp ON hp.id = a.helper_id
		WHERE m.id_number = `+param(q)+` AND m.active = 1`, id).Scan(&stored, &h.householdID, &h.VillageCode, &h.VillageName, &h.TownName,
		&h.Status, &h.Type, &h.MembersCount, &regOn, &exitOn, &helperName, &helperPhone)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Detail{}, false, err
	}
	match := err == nil
	// Constant time for a given length: the name is the secret half of the pair.
	if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(stored)), []byte(name)) != 1 {
		match = false
	}
	target := int64(0)
	if match {
		target = h.householdID
	}
	rows, err := q.QueryContext(ctx, `SELECT t.on_date, f.name, COALESCE(i.name, ''), t.period, t.amount_fen,
		CASE WHEN EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.reverses_id = t.id) THEN 1 ELSE 0 END
		FROM ledger_transfers t JOIN funds f ON f.id = t.fund_id LEFT JOIN fund_items i ON i.id = t.item_id
		WHERE t.kind = 'payment' AND t.to_account IN (
			SELECT a.id FROM ledger_accounts a WHERE a.household_id = `+param(q)+` AND a.kind = 'passbook'
			UNION SELECT a.id FROM members m JOIN ledger_accounts a ON a.id_number = m.id_number AND a.kind = 'passbook' WHERE m.household_id = `+param(q)+`)
		ORDER BY t.on_date DESC, t.id DESC`, target, target)
	if err != nil {
		return Detail{}, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var p Payment
		var rev int
		if err := rows.Scan(&p.OnDate, &p.FundName, &p.ItemName, &p.Period, &p.AmountFen, &rev); err != nil {
			return Detail{}, false, err
		}
		p.Reversed = rev == 1
		if !p.Reversed {
			d.TotalFen += p.AmountFen
		}
		d.Payments = append(d.Payments, p)
	}
	if err := rows.Err(); err != nil {
		return Detail{}, false, err
	}
	if !match {
		return Detail{}, false, nil
	}
	h.StatusLabel, h.TypeLabel = statusLabels[h.Status], typeLabels[h.Type]
	h.RegisteredOn, h.ExitedOn = regOn.String, exitOn.String
	if helperName.Valid {
		d.Helper = &Helper{Name: helperName.String, Phone: mask.Phone(helperPhone.String)}
	}
	return d, true, nil
}
