package tabular

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Schema describes the columns an import understands. Headers are matched
// against Name and Aliases after normalisation (see normHeader); header
// cells that match nothing are ignored.
type Schema struct {
	Columns []Column
}

// Column is one canonical column. The first alias containing Chinese is
// what error messages show users next to Name.
type Column struct {
	Name     string
	Aliases  []string
	Required bool
}

type compiled struct {
	cols  []Column
	names map[string]int // canonical name → column index
	match map[string]int // normalised header text → column index
}

func compile(s Schema) (*compiled, error) {
	c := &compiled{
		cols:  s.Columns,
		names: make(map[string]int, len(s.Columns)),
		match: make(map[string]int, 3*len(s.Columns)),
	}
	for i, col := range s.Columns {
		if col.Name == "" {
			return nil, &Error{Code: CodeSchema, Reason: "schema: column " + strconv.Itoa(i) + " has no name"}
		}
		if _, dup := c.names[col.Name]; dup {
			return nil, &Error{Code: CodeSchema, Reason: "schema: column " + col.Name + " declared twice"}
		}
		c.names[col.Name] = i
		for _, a := range append([]string{col.Name}, col.Aliases...) {
			k := normHeader(a)
			if j, ok := c.match[k]; ok && j != i {
				return nil, &Error{Code: CodeSchema, Reason: "schema: alias " + a + " names both " + s.Columns[j].Name + " and " + col.Name}
			}
			c.match[k] = i
		}
	}
	return c, nil
}

// normHeader folds the differences that spreadsheets introduce without
// anyone meaning them: case, spaces anywhere, full-width forms from Chinese
// IMEs ("金额（元）" = "金额(元)"), "_"/"-" spelling of English names and
// the "*" that templates put on required columns.
func normHeader(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		switch {
		case unicode.IsSpace(r), r == '\uFEFF', r == '_', r == '-', r == '*':
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// label is how a column is named to users: its first Chinese alias with the
// canonical name, so both people and the documentation recognise it.
func (c *compiled) label(i int) string {
	col := c.cols[i]
	for _, a := range col.Aliases {
		if hasNonASCII(a) {
			return a + "(" + col.Name + ")"
		}
	}
	return col.Name
}

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// headerMatch is the result of matching one candidate header row.
type headerMatch struct {
	colOf   []int // schema column → field index, -1 when absent
	fieldTo []int // field index → schema column, -1 when ignored
	matched int
	missing []int // required schema columns absent
	dups    *Error
}

func (c *compiled) matchHeader(cells []string) headerMatch {
	m := headerMatch{colOf: make([]int, len(c.cols)), fieldTo: make([]int, len(cells))}
	for i := range m.colOf {
		m.colOf[i] = -1
	}
	for f, text := range cells {
		m.fieldTo[f] = -1
		k := normHeader(text)
		if k == "" {
			continue
		}
		i, ok := c.match[k]
		if !ok {
			continue
		}
		if prev := m.colOf[i]; prev >= 0 {
			if m.dups == nil {
				m.dups = &Error{
					Code: CodeDuplicateColumns,
					Reason: "表头中的列重复: " + c.label(i) + " 出现在第" + strconv.Itoa(prev+1) +
						"列和第" + strconv.Itoa(f+1) + "列",
					Columns: []string{c.cols[i].Name},
				}
			}
			continue
		}
		m.colOf[i] = f
		m.fieldTo[f] = i
		m.matched++
	}
	for i, col := range c.cols {
		if col.Required && m.colOf[i] < 0 {
			m.missing = append(m.missing, i)
		}
	}
	return m
}

func (c *compiled) missingError(m headerMatch) *Error {
	e := &Error{Code: CodeMissingColumns}
	labels := make([]string, len(m.missing))
	for k, i := range m.missing {
		labels[k] = c.label(i)
		e.Columns = append(e.Columns, c.cols[i].Name)
	}
	e.Reason = "缺少必需的列: " + strings.Join(labels, "、")
	return e
}
