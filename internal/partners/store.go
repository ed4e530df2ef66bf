package partners

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// Filter is the query of the register lists: region (default the caller's scope), kind,
// status, level, willing, q (name contains) and keyset paging by id, newest first.
type Filter struct {
	Region, Kind, Status, Level, Willing, Q string
	After                                   int64
	Limit                                   int
}

// check validates the filter's common parts and the caller's right to read the region.
func (f *Filter) check(p *auth.Principal) error {
	if err := p.Require(auth.SocialRead); err != nil {
		return err
	}
	v := errs.Validation{}
	f.Q = strings.TrimSpace(f.Q)
	if f.Region != "" && !regioncode.Valid(f.Region) {
		v.Add("region", "区划代码须为 12 位数字")
	}
	if utf8.RuneCountInString(f.Q) > 50 || !utf8.ValidString(f.Q) {
		v.Add("q", "不超过 50 字")
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if err := v.Err(); err != nil {
		return err
	}
	if f.Region != "" && !p.InScope(f.Region) {
		return errs.E(errs.Forbidden, "区划 %s 不在您的管辖范围内", f.Region)
	}
	return nil
}

// where builds the list condition on the region column col (scope and filter region), the
// paging cursor on idCol and the name search on nameCol.
func (f *Filter) where(p *auth.Principal, col, idCol, nameCol string) ([]string, []any) {
	cond, args := p.ScopeCond(col)
	where := []string{cond}
	if f.Region != "" {
		lo, hi := regioncode.Range(f.Region)
		where, args = append(where, col+" BETWEEN ? AND ?"), append(args, lo, hi)
	}
	if f.After > 0 {
		where, args = append(where, idCol+" < ?"), append(args, f.After)
	}
	if f.Q != "" && nameCol != "" {
		where, args = append(where, nameCol+` LIKE ? ESCAPE '\'`), append(args, "%"+likeEscape(f.Q)+"%")
	}
	return where, args
}

// likeEscape makes a search text match literally inside LIKE.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// cursor is the next-page cursor of a list ordered by id descending.
func cursor(id int64) string { return strconv.FormatInt(id, 10) }

// regionRow is a region's name: forbidden when it lies outside the caller's scope for action,
// a field error when it is malformed, not at one of the levels or does not exist.
func regionRow(ctx context.Context, q db.Queryer, p *auth.Principal, action auth.Action, field, code string, levels ...regioncode.Level) (string, error) {
	code = strings.TrimSpace(code)
	lv := regioncode.LevelOf(code)
	if lv == "" {
		return "", errs.Field(field, "应为 12 位区划代码")
	}
	if len(levels) > 0 && !slices.Contains(levels, lv) {
		names := make([]string, len(levels))
		for i, l := range levels {
			names[i] = levelName[l]
		}
		return "", errs.Field(field, "应为"+strings.Join(names, "、")+"级区划")
	}
	// scope first: whether a region outside it exists is none of the caller's business
	if err := p.RequireIn(action, code); err != nil {
		return "", err
	}
	var name string
	err := q.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = ?`, code).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.Field(field, "区划不存在")
	}
	return name, err
}

var levelName = map[regioncode.Level]string{regioncode.Province: "省", regioncode.City: "市", regioncode.County: "县",
	regioncode.Town: "镇", regioncode.Village: "村"}

// jsonList reads a stored JSON array of texts (an empty list for anything else).
func jsonList(s string) []string {
	var out []string
	if json.Unmarshal([]byte(s), &out) != nil || out == nil {
		return []string{}
	}
	return out
}

// jsonText stores a list of texts as a JSON array.
func jsonText(list []string) string {
	if list == nil {
		list = []string{}
	}
	b, _ := json.Marshal(list)
	return string(b)
}

// hours turns stored hundredths of an hour into hours.
func hours(c int64) float64 { return float64(c) / 100 }

// nullStr is an optional text column as a pointer.
func nullStr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// bump raises the version of row id in table if it is still version, inside tx: errStale when
// someone changed it first (two updates of one version: exactly one wins).
func bump(ctx context.Context, tx *db.Tx, table string, id, version int64, set string, args ...any) error {
	args = append(args, db.Time(tx.Now), id, version)
	res, err := tx.ExecContext(ctx, `UPDATE `+table+` SET `+set+`version = version + 1, updated_at = ? WHERE id = ? AND version = ?`, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return errStale
	}
	return nil
}
