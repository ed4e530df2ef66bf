package crosscheck

import (
	"context"
	"regexp"
	"strings"
	"time"

	"sunshine/internal/db"
)

// FieldDoubt is a doubt as the helper's field app shows it on the household card (待核查疑点):
// what the rule found and by when the village must answer. No ID numbers: the explanation is
// stripped of them, and the outcome is recorded in the console, not on the phone.
type FieldDoubt struct {
	ID           int64  `json:"id"`
	RuleLabel    string `json:"rule_label"`
	MemberName   string `json:"member_name"` // "" for a household-level doubt
	Explanation  string `json:"explanation"`
	DispatchNote string `json:"dispatch_note"`
	Deadline     string `json:"deadline"`
	Overdue      bool   `json:"overdue"`
}

// FieldDoubts are the dispatched doubts (still awaiting their outcome) of the given households,
// by household, oldest first. The caller (the field app's download) has already bounded the
// households to those currently assigned to the signed-in helper.
func FieldDoubts(ctx context.Context, q db.Queryer, now time.Time, households []int64) (map[int64][]FieldDoubt, error) {
	out := map[int64][]FieldDoubt{}
	today := db.Date(now)
	for start := 0; start < len(households); start += 500 {
		part := households[start:min(start+500, len(households))]
		args := make([]any, 0, len(part))
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := q.QueryContext(ctx, `SELECT d.id, d.household_id, d.rule_label, COALESCE(m.name, ''), d.explanation, d.dispatch_note,
			COALESCE(d.deadline, '') FROM doubts d LEFT JOIN members m ON m.id = d.member_id
			WHERE d.status = 'dispatched' AND d.household_id IN (`+placeholders(len(part))+`) ORDER BY d.household_id, d.id`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var d FieldDoubt
			var hh int64
			if err := rows.Scan(&d.ID, &hh, &d.RuleLabel, &d.MemberName, &d.Explanation, &d.DispatchNote, &d.Deadline); err != nil {
				rows.Close()
				return nil, err
			}
			d.Explanation, d.DispatchNote = WithoutIDNumbers(d.Explanation), WithoutIDNumbers(d.DispatchNote)
			d.Overdue = d.Deadline != "" && d.Deadline < today
			out[hh] = append(out[hh], d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var (
	// an ID number, whole or masked (idcard.Mask: 6 digits, 8 stars, 4 characters), or a
	// masked one of a malformed number (all stars)
	idNumberPattern = regexp.MustCompile(`[0-9]{6}\*{8}[0-9]{3}[0-9Xx]|[0-9]{17}[0-9Xx]|\*{15,}`)
	emptyBrackets   = regexp.MustCompile(`[(（]\s*[)）]`)
)

// WithoutIDNumbers removes ID numbers (whole or masked) from a text, and the brackets they
// leave empty: "成员 张三(320921********1234) 名下…" → "成员 张三 名下…".
func WithoutIDNumbers(s string) string {
	if !strings.ContainsAny(s, "0123456789*") {
		return s
	}
	// Until nothing changes: removing "()" may join digits into a new number.
	for {
		t := emptyBrackets.ReplaceAllString(idNumberPattern.ReplaceAllString(s, ""), "")
		if t == s {
			break
		}
		s = t
	}
	return strings.Join(strings.Fields(s), " ")
}
