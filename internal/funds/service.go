package funds

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// Service registers funds and moves money in the ledger.
type Service struct {
	DB    *db.DB
	Audit *audit.Service
}

func record(ctx context.Context, tx *db.Tx, p *auth.Principal, action, entity string, id int64, region string, before, after any) error {
	return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: action, EntityType: entity,
		EntityID: strconv.FormatInt(id, 10), RegionCode: region, Before: before, After: after})
}

var (
	errNoFund     = errs.E(errs.NotFound, "资金不存在")
	errNoAccount  = errs.E(errs.NotFound, "账户不存在")
	errNoTransfer = errs.E(errs.NotFound, "转账不存在")
	codePattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`)
)

// Covers reports whether the principal may read something of region code: it lies in their
// scope, or it is above their scope (a county reads the city fund that pays into it).
func Covers(p *auth.Principal, code string) bool {
	return p.InScope(code) || p != nil && regioncode.Valid(code) && regioncode.Within(p.Scope, code)
}

// above lists the regions above a scope (city, province), for "covers" queries.
func above(scope string) []any {
	var out []any
	for c := regioncode.Parent(scope); c != ""; c = regioncode.Parent(c) {
		out = append(out, c)
	}
	return out
}

// date reads a YYYY-MM-DD (also YYYY/MM/DD, YYYYMMDD) field.
func date(field, s string) (string, error) {
	t, err := tabular.ParseDate(strings.TrimSpace(s))
	if err != nil {
		return "", errs.Field(field, "日期格式应为 YYYY-MM-DD")
	}
	d := t.Format(db.DateLayout)
	if d < "2000-01-01" || d > "2099-12-31" {
		return "", errs.Field(field, "日期超出合理范围")
	}
	return d, nil
}

func text(v errs.Validation, field, s string, required bool, limit int) string {
	s = strings.TrimSpace(s)
	if required && s == "" {
		v.Add(field, "必填")
	}
	if utf8.RuneCountInString(s) > limit {
		v.Add(field, "不超过 "+strconv.Itoa(limit)+" 字")
	}
	return s
}

// fieldReason is the reason part of a one-field validation error.
func fieldReason(err error) string {
	if e, ok := errs.As(err); ok {
		for _, r := range e.Fields {
			return r
		}
		return e.Message
	}
	return err.Error()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func regionExists(ctx context.Context, q db.Queryer, code string) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = ?`, code).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.Field("region_code", "区划 "+code+" 不存在")
	}
	return nil
}

// today is the Shanghai date of the database clock.
func (s *Service) today() string { return db.Date(s.DB.Clock()) }

// idleDays counts whole days from a date to today.
func idleDays(from, today string) int {
	a, err1 := time.Parse(db.DateLayout, from)
	b, err2 := time.Parse(db.DateLayout, today)
	if err1 != nil || err2 != nil || b.Before(a) {
		return 0
	}
	return int(b.Sub(a).Hours() / 24)
}
