package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// people is the schema most tests use: a registry-like file.
var people = Schema{Columns: []Column{
	{Name: "id_number", Aliases: []string{"ID number", "身份证号", "身份证号码", "公民身份号码"}, Required: true},
	{Name: "name", Aliases: []string{"姓名"}, Required: true},
	{Name: "amount_yuan", Aliases: []string{"金额(元)", "金额"}},
	{Name: "paid_on", Aliases: []string{"发放日期"}},
}}

// result is a file read to the end: each good row as "line:id|name|amount"
// and each row error as "line!column!code".
type result struct {
	rows []string
	errs []string
}

func (r result) String() string {
	return fmt.Sprintf("rows=%q errs=%q", r.rows, r.errs)
}

func readAll(t testing.TB, data []byte, name string, schema Schema, opts Options) (result, error) {
	t.Helper()
	rd, err := Open(bytes.NewReader(data), name, schema, opts)
	if err != nil {
		return result{}, err
	}
	defer rd.Close()
	var res result
	for {
		row, err := rd.Next()
		if err == io.EOF {
			return res, nil
		}
		var re *RowError
		if errors.As(err, &re) {
			if re.Line != row.Line {
				t.Fatalf("RowError line %d, Row.Line %d", re.Line, row.Line)
			}
			res.errs = append(res.errs, fmt.Sprintf("%d!%s!%s", re.Line, re.Column, re.Code))
			continue
		}
		if err != nil {
			return res, err
		}
		vals := make([]string, len(schema.Columns))
		for i, c := range schema.Columns {
			vals[i] = row.Get(c.Name)
		}
		res.rows = append(res.rows, fmt.Sprintf("%d:%s", row.Line, strings.Join(vals, "|")))
	}
}

func mustRead(t testing.TB, data []byte, name string, opts Options) result {
	t.Helper()
	res, err := readAll(t, data, name, people, opts)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return res
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func check(t *testing.T, got result, rows, errs []string) {
	t.Helper()
	if !equal(got.rows, rows) || !equal(got.errs, errs) {
		t.Fatalf("got  %v\nwant %v", got, result{rows, errs})
	}
}
