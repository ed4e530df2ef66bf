package giving

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
	"sunshine/internal/mask"
	"sunshine/internal/money"
	"sunshine/internal/regioncode"
)

// text trims a text field and checks its length in characters; control characters other
// than line breaks and tabs are refused (text is stored as given, never HTML-escaped: every
// answer is JSON or a neutralised CSV).
func text(v errs.Validation, field, s string, required bool, max int) string {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case !utf8.ValidString(s):
		v.Add(field, "含有无效字符")
	case required && n == 0:
		v.Add(field, "必填")
	case n > max:
		v.Add(field, "不超过 "+strconv.Itoa(max)+" 字")
	default:
		for _, r := range s {
			if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
				v.Add(field, "含有控制字符")
				break
			}
		}
	}
	return s
}

// date reads an optional YYYY-MM-DD ("" when empty or wrong, with the reason recorded).
func date(v errs.Validation, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	t, err := time.Parse(db.DateLayout, s)
	if err != nil || t.Year() < 2000 || t.Year() > 2099 {
		v.Add(field, "日期格式应为 YYYY-MM-DD(2000-2099 年)")
		return ""
	}
	return s
}

// addDays is the date n days after d (YYYY-MM-DD).
func addDays(d string, n int) string {
	t, err := time.Parse(db.DateLayout, d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, n).Format(db.DateLayout)
}

// yuan reads an amount in yuan exactly to the fen, like funds.FundInput does: required or
// zero when empty; positive unless zeroOK.
func yuan(v errs.Validation, field, s string, required, zeroOK bool) int64 {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			v.Add(field, "请填写金额")
		}
		return 0
	}
	fen, err := money.ParseYuan(s)
	switch {
	case err != nil:
		v.Add(field, err.Error())
	case fen < 0 || fen == 0 && !zeroOK:
		v.Add(field, "金额须大于 0")
	case fen > funds.MaxFundFen:
		v.Add(field, "金额超出合理范围(不超过 "+money.FormatYuan(funds.MaxFundFen)+" 元)")
	default:
		return fen
	}
	return 0
}

// validCreditCode checks the shape of a 统一社会信用代码: 18 characters of digits and the
// capital letters the standard uses (no I, O, S, V, Z).
func validCreditCode(s string) bool {
	if len(s) != 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' && !strings.ContainsRune("IOSVZ", rune(c))) {
			return false
		}
	}
	return true
}

// publicName is what the public sees of a donor.
func publicName(kind, name string, anonymous bool) string {
	switch {
	case anonymous:
		return AnonymousName
	case kind == "person":
		return mask.Name(name)
	}
	return name
}

// region is a region's name and level, or a field error naming field when it does not exist.
func region(ctx context.Context, q db.Queryer, field, code string) (name, level string, err error) {
	if !regioncode.Valid(code) {
		return "", "", errs.Field(field, "区划代码须为 12 位数字")
	}
	err = q.QueryRowContext(ctx, `SELECT name, level FROM regions WHERE code = ?`, code).Scan(&name, &level)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errs.Field(field, "区划 "+code+" 不存在")
	}
	return name, level, err
}

// household is what a disbursement, delivery or need needs of a household.
type household struct {
	id        int64
	region    string
	village   string
	status    string
	head      string
	idNumber  string
	accountNo string
}

func loadHousehold(ctx context.Context, q db.Queryer, id int64) (household, bool, error) {
	h := household{id: id}
	err := q.QueryRowContext(ctx, `SELECT h.region_code, COALESCE(r.name, ''), h.status, h.head_name, h.head_id_number, h.account_no
		FROM households h LEFT JOIN regions r ON r.code = h.region_code WHERE h.id = ?`, id).
		Scan(&h.region, &h.village, &h.status, &h.head, &h.idNumber, &h.accountNo)
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, nil
	}
	h.accountNo = strings.TrimSpace(h.accountNo)
	return h, err == nil, err
}

// queryAlphabet has no 0/O, 1/I/L: a code read off a paper receipt is typed back right.
const queryAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// QueryKeyLen is the length of the donor's 查询码.
const QueryKeyLen = 8

func newQueryKey() (string, error) {
	b := make([]byte, QueryKeyLen)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	out := make([]byte, QueryKeyLen)
	for i, c := range b {
		// 256 % 31 ≠ 0: the bias (one letter in 256 slightly more likely) is harmless next to
		// the 31⁸ codes and the per-client limit.
		out[i] = queryAlphabet[int(c)%len(queryAlphabet)]
	}
	return string(out), nil
}

// keyHash is the keyed hash stored for a receipt's 查询码 (the code itself is never stored).
func keyHash(secret []byte, receipt, key string) string {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "giving-query|%s|%s", receipt, key)
	return hex.EncodeToString(m.Sum(nil))
}

// nextNumber draws the next number of a counter (receipts per year, need codes per village).
func nextNumber(ctx context.Context, tx *db.Tx, name string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `INSERT INTO giving_counters (name, n) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET n = giving_counters.n + 1 RETURNING n`, name).Scan(&n)
	return n, err
}

// outOfScope refuses a well-formed region outside the caller's scope before anything else is
// checked: another county learns nothing from the shape of its input.
func outOfScope(p interface{ InScope(string) bool }, code string) error {
	if regioncode.Valid(code) && !p.InScope(code) {
		return errs.E(errs.Forbidden, "区划 %s 不在您的管辖范围内", code)
	}
	return nil
}
