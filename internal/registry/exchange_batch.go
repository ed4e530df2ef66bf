package registry

import (
	"context"
	"database/sql"
	"hash/maphash"
	"strconv"

	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// exBatchRows is how many inserts an import buffers before writing them: large enough that
// a COPY or a prepared multi-row INSERT runs at full speed, small enough to stay a few MB.
const exBatchRows = 10000

// exPrint fingerprints the columns a file carries, so a preloaded record costs a uint64
// instead of its whole text and "unchanged" is one comparison. Columns the file lacks are
// left out on both sides: they keep their stored values.
type exPrint struct {
	seed maphash.Seed
	use  []int
	buf  []byte
}

func newExPrint(present []bool, skip ...int) *exPrint {
	f := &exPrint{seed: maphash.MakeSeed()}
outer:
	for i, ok := range present {
		for _, s := range skip {
			if i == s {
				continue outer
			}
		}
		if ok {
			f.use = append(f.use, i)
		}
	}
	return f
}

func (f *exPrint) of(cells []string) uint64 {
	f.buf = f.buf[:0]
	for _, i := range f.use {
		f.buf = append(f.buf, cells[i]...)
		f.buf = append(f.buf, 0)
	}
	return maphash.Bytes(f.seed, f.buf)
}

// ofBytes is of for cells scanned as raw bytes.
func (f *exPrint) ofBytes(cells []sql.RawBytes) uint64 {
	f.buf = f.buf[:0]
	for _, i := range f.use {
		f.buf = append(f.buf, cells[i]...)
		f.buf = append(f.buf, 0)
	}
	return maphash.Bytes(f.seed, f.buf)
}

// exPack stores a 12-digit region code in a uint64 (half the size of its string, no pointer
// for the collector to follow in a map of a million entries).
func exPack(code string) uint64 {
	n, _ := strconv.ParseUint(code, 10, 64)
	return n
}

func exUnpack(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for len(s) < 12 {
		s = "0" + s
	}
	return s
}

// exLoad writes buffered rows. The preloaded maps make conflicts row errors long before
// this; a unique violation here means someone wrote the same household or person while the
// import ran, and the unique index refused it.
func exLoad(ctx context.Context, tx *db.Tx, table string, columns []string, rows [][]any, what string) error {
	err := tx.BulkLoad(ctx, table, columns, rows)
	if errs.CodeOf(err) == errs.Conflict {
		return errs.E(errs.Conflict, "写入时%s与已有记录冲突(可能有人在导入的同时录入了同一数据),未导入任何数据,请重试", what)
	}
	return err
}

func exNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func exAtoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
