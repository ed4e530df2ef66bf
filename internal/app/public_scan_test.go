package app

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/idcard"
)

// The scanner and the walk of the public masking test (public_mask_test.go): what must never
// be public, read from the database; the search of an answer for it; the walk of the routes.

// secrets are the personal numbers stored in the database: digit strings (an ID number may end
// in X) found by where they are, and other values (a phone typed with a dash) kept whole.
type secrets struct {
	digits  map[string]string // value → where it is stored (table.column)
	lengths []int             // the lengths of the digit values
	other   map[string]string
	columns map[string]bool // table.column searched
}

// secretKind sorts a column by its name: ID numbers, phones (and free-text contacts), accounts.
func secretKind(col string) string {
	switch {
	case strings.Contains(col, "id_number"):
		return "ID number"
	case strings.Contains(col, "phone") || strings.Contains(col, "mobile") || col == "contact":
		return "phone"
	case strings.Contains(col, "account_no"):
		return "account"
	}
	return ""
}

// loadSecrets reads every value of every column named like an ID number, phone, contact or
// account number, in every table (the schema is read, so a new table is searched too).
func loadSecrets(t *testing.T, d *db.DB) *secrets {
	t.Helper()
	ctx := context.Background()
	q := `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'`
	if d.Dialect == db.Postgres {
		q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	}
	rows, err := d.Reader().QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var tb, c string
		if err := rows.Scan(&tb, &c); err != nil {
			t.Fatal(err)
		}
		if secretKind(c) != "" {
			cols = append(cols, [2]string{tb, c})
		}
	}
	rows.Close()
	s := &secrets{digits: map[string]string{}, other: map[string]string{}, columns: map[string]bool{}}
	lens := map[int]bool{}
	runs := regexp.MustCompile(`[0-9]{7,}[Xx]?`)
	for _, c := range cols {
		where := c[0] + "." + c[1]
		s.columns[where] = true
		rows, err := d.Reader().QueryContext(ctx, `SELECT DISTINCT `+c[1]+` FROM `+c[0]+` WHERE `+c[1]+` IS NOT NULL`)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			v = strings.ToUpper(strings.TrimSpace(v))
			if len(v) < 7 {
				continue
			}
			found := runs.FindAllString(v, -1)
			if len(found) == 1 && found[0] == v || secretKind(c[1]) == "phone" {
				// A phone or a contact counts by its numbers: "王先生 138…" leaks as 138….
				for _, r := range found {
					s.digits[r], lens[len(r)] = secretKind(c[1])+" in "+where, true
				}
				continue
			}
			s.other[v] = secretKind(c[1]) + " in " + where
		}
		rows.Close()
	}
	for n := range lens {
		s.lengths = append(s.lengths, n)
	}
	sort.Ints(s.lengths)
	return s
}

var (
	digitRun     = regexp.MustCompile(`[0-9]+[Xx]?`)
	mobileNumber = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
)

// scan lists what body shows that it must not: a stored number (exactly, anywhere in a run of
// digits), an 18-character number that is a valid ID number, an 11-digit mobile number.
func (s *secrets) scan(body []byte) []string {
	var out []string
	seen := map[string]bool{}
	add := func(what string) {
		if !seen[what] {
			seen[what] = true
			out = append(out, what)
		}
	}
	now := time.Now()
	for _, r := range digitRun.FindAll(body, -1) {
		run := strings.ToUpper(string(r))
		for _, n := range s.lengths {
			for i := 0; i+n <= len(run); i++ {
				if where, ok := s.digits[run[i:i+n]]; ok {
					add(where + ": " + run[i:i+n])
				}
			}
		}
		if len(run) == 18 {
			if _, err := idcard.Parse(run, now); err == nil {
				add("an ID number: " + run)
			}
		}
		if mobileNumber.MatchString(run) {
			add("a mobile number: " + run)
		}
	}
	for v, where := range s.other {
		if strings.Contains(string(body), v) {
			add(where + ": " + v)
		}
	}
	return out
}

// walkPublicGETs calls every public GET route with the sample values and returns what is
// wrong: a parameter without samples, a 5xx, a route no sample got a 200 from, a leak.
func walkPublicGETs(t *testing.T, h *harness, sec *secrets, samples publicSamples, regions []string) (problems []string, routes, calls int) {
	t.Helper()
	c := h.anon()
	for _, r := range h.app.Router.Routes {
		if !r.Public || r.Method != "GET" {
			continue
		}
		routes++
		paths, err := expand(r.Pattern, samples)
		if err != nil {
			problems = append(problems, fmt.Sprintf("GET %s: %v", r.Pattern, err))
			continue
		}
		ok := 0
		for _, p := range paths {
			for _, q := range publicQueries(r.Pattern, paramRe.MatchString(r.Pattern), regions) {
				path := p
				if q != "" {
					path += "?" + q
				}
				st, b := c.do("GET", path, nil)
				calls++
				if st >= 500 {
					problems = append(problems, fmt.Sprintf("GET %s: %d %s", path, st, b))
				}
				if st == 200 {
					ok++
					if strings.HasSuffix(r.Pattern, ".csv") {
						checkOpenFile(t, path, b)
					}
				}
				if f := sec.scan(b); len(f) != 0 {
					problems = append(problems, fmt.Sprintf("GET %s (%d) shows %v", path, st, f))
				}
			}
		}
		if ok == 0 && !noAnswer[r.Pattern] {
			problems = append(problems, fmt.Sprintf("GET %s: no sample answered 200, so nothing was scanned", r.Pattern))
		}
	}
	return problems, routes, calls
}
