package exchange

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"sync/atomic"
)

// spool makes the file readable twice: its hash must be known before the first row is
// written (imported rows record it as their source), and then the rows are read in one pass.
// A seekable input is hashed and rewound; anything else is copied to a temporary file on
// the way through the hash, never into memory.
func spool(r io.Reader) (src io.Reader, sum string, cleanup func(), err error) {
	h := sha256.New()
	if rs, ok := r.(io.ReadSeeker); ok {
		start, err := rs.Seek(0, io.SeekCurrent)
		if err == nil {
			if _, err = io.Copy(h, rs); err != nil {
				return nil, "", nil, err
			}
			if _, err = rs.Seek(start, io.SeekStart); err != nil {
				return nil, "", nil, err
			}
			return rs, hex.EncodeToString(h.Sum(nil)), func() {}, nil
		}
	}
	f, err := os.CreateTemp("", "sunshine-import-*")
	if err != nil {
		return nil, "", nil, err
	}
	cleanup = func() {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}
	if _, err := io.Copy(io.MultiWriter(f, h), r); err != nil {
		cleanup()
		return nil, "", nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		cleanup()
		return nil, "", nil, err
	}
	return f, hex.EncodeToString(h.Sum(nil)), cleanup, nil
}

// countingReader counts the bytes read, for progress reports read from another goroutine.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
