package oversight

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"sunshine/internal/db"
)

// evalInput is what a category evaluator reads: the moment of the run, the region code range it
// covers, the enabled rules by check, a reader, the data directory (dataset files) and the
// person facts from the datasets (nil when none were loaded).
type evalInput struct {
	At     time.Time
	Lo, Hi string // region code range (regioncode.Range of the run's region)
	Rules  map[string]*Rule
	Q      db.Queryer
	Dir    string
	Facts  *personFacts
	Cache  *factCache // the dataset facts of earlier runs (the Service's)
}

// rule is the enabled rule running check, nil when the check is off.
func (in *evalInput) rule(check string) *Rule {
	if in == nil || in.Rules == nil {
		return nil
	}
	return in.Rules[check]
}

// today is the run's calendar date in Shanghai (YYYY-MM-DD).
func (in *evalInput) today() string { return db.Date(in.At) }

// evaluator is one category's checks: it emits a Finding per entity a rule fires on.
type evaluator func(ctx context.Context, in *evalInput, emit func(Finding)) error

// enabledRules maps each enabled rule of the set by its check.
func enabledRules(rules []Rule) map[string]*Rule {
	out := map[string]*Rule{}
	for i := range rules {
		r := rules[i]
		if r.Enabled {
			out[r.Check] = &r
		}
	}
	return out
}

// evidence marshals v (structs and slices only: deterministic) for a Finding.
func evidence(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("oversight: evidence: " + err.Error())
	}
	return b
}

// evidenceHash is the hex SHA-256 of the evidence JSON.
func evidenceHash(e json.RawMessage) string {
	h := sha256.Sum256(e)
	return hex.EncodeToString(h[:])
}

// addDays is the date d plus n calendar days (dates are YYYY-MM-DD).
func addDays(d string, n int) string {
	t, err := time.Parse(db.DateLayout, d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, n).Format(db.DateLayout)
}
