package crosscheck

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"strings"

	"sunshine/internal/idcard"
	"sunshine/internal/tabular"
)

// scanXLSX reads a workbook through tabular (excelize holds the zip in
// memory, so workbooks are for small datasets; big ones come as CSV).
func (s *scanner) scanXLSX(ctx context.Context, f *os.File, path string) error {
	r, err := tabular.Open(bufio.NewReader(f), path, s.spec.schema(), tabular.Options{MaxFieldBytes: maxFieldBytes})
	if err != nil {
		return err
	}
	defer r.Close()
	s.colOf = make([]int, len(s.spec.Columns))
	for i, c := range s.spec.Columns {
		s.colOf[i] = -1
		if r.Has(c.Name) {
			s.colOf[i] = i
			h := r.HeaderCell(c.Name)
			s.rep.Header = append(s.rep.Header, h)
			if c.Type == Money && strings.Contains(h, "万元") {
				s.scale[i] = 10_000
			}
		}
	}
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		s.rep.Rows++
		if err != nil {
			var re *tabular.RowError
			if !errors.As(err, &re) {
				return err
			}
			s.reject(int64(re.Line), s.spec.index(re.Column), re.Code, re.Reason)
			continue
		}
		id := strings.ToUpper(strings.TrimPrefix(row.Get("id_number"), "'"))
		key, ok := idcard.Pack(id)
		if !ok {
			s.reject(int64(row.Line), colID, codeBadID, idReason([]byte(id), s.today))
			continue
		}
		m := int32(-1)
		if s.snap != nil {
			if m = s.snap.lookup(key); m < 0 {
				continue
			}
		}
		values := make([]string, len(s.spec.Columns))
		for i, c := range s.spec.Columns {
			values[i] = row.Get(c.Name)
		}
		values[colID] = id
		s.emit(int64(row.Line), values, m)
	}
	s.bytesRead = s.rep.Bytes
	s.report(true)
	return nil
}
