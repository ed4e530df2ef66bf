package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"

	"golang.org/x/sync/errgroup"

	"sunshine/internal/db"
)

// segment is what one worker learns about a contiguous range of the chain.
type segment struct {
	lo, hi    int64  // the range asked for
	firstPrev []byte // prev_hash of the first event seen
	lastHash  []byte // hash of the last event seen
	lastSeq   int64
	checked   int64
	broken    *Broken
}

var errStop = errors.New("stop")

// Verify recomputes the whole chain and reports the first break: a row changed (hash differs),
// deleted (sequence gap, or head beyond the last row) or inserted (sequence or previous-hash
// mismatch). Reading rows, not hashing, bounds its speed, so ranges of the chain are read on
// separate connections in parallel and stitched together at their seams.
func Verify(ctx context.Context, q db.Queryer) (VerifyResult, error) {
	var res VerifyResult
	top, err := maxSeq(ctx, q)
	if err != nil {
		return res, err
	}
	parts := int64(runtime.GOMAXPROCS(0))
	if top < 50000 {
		parts = 1
	}
	segs := make([]*segment, parts)
	g, gctx := errgroup.WithContext(ctx)
	step := top/parts + 1
	for i := range segs {
		s := &segment{lo: int64(i)*step + 1, hi: min(int64(i+1)*step, top)}
		segs[i] = s
		g.Go(func() error { return s.verify(gctx, q) })
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	var prevHash []byte
	expect := int64(1)
	for _, s := range segs {
		res.Checked += s.checked
		if s.checked > 0 && !bytes.Equal(s.firstPrev, prevHash) && s.broken == nil {
			s.broken = &Broken{Seq: s.lo, Reason: "前序哈希与上一事件不符(疑似插入或篡改)"}
		}
		if s.broken != nil {
			res.FirstBroken = s.broken
			break
		}
		if s.checked > 0 {
			prevHash, expect = s.lastHash, s.lastSeq+1
		}
	}
	hs, hh, err := head(ctx, q)
	if err != nil {
		return res, err
	}
	res.HeadSeq, res.HeadHash = hs, hh
	if res.FirstBroken == nil && (hs != expect-1 || hh != string(prevHash)) {
		res.FirstBroken = &Broken{Seq: expect, Reason: fmt.Sprintf("链尾不符: 记录的链头为第 %d 号事件,实际最后一条为第 %d 号(疑似尾部被删除或链头被改)", hs, expect-1)}
	}
	res.OK = res.FirstBroken == nil
	return res, nil
}

func (s *segment) verify(ctx context.Context, q db.Queryer) error {
	expect := s.lo
	var prev []byte
	buf := make([]byte, 0, 1024)
	err := scanChain(ctx, q, s.lo, s.hi, func(e *rawEvent) error {
		s.checked++
		if s.checked == 1 {
			s.firstPrev = append([]byte(nil), e.prevHash...)
			prev = append(prev[:0], e.prevHash...)
		}
		switch {
		case e.seq > expect:
			s.broken = &Broken{Seq: expect, Reason: "缺少序号 " + strconv.FormatInt(expect, 10) + " 的事件(疑似被删除)"}
		case !bytes.Equal(e.prevHash, prev):
			s.broken = &Broken{Seq: e.seq, Reason: "前序哈希与上一事件不符(疑似插入或篡改)"}
		default:
			var h string
			h, buf = hashEvent(buf, e)
			if h != string(e.hash) {
				s.broken = &Broken{Seq: e.seq, Reason: "事件内容与哈希不符(疑似被修改)"}
			}
		}
		if s.broken != nil {
			return errStop
		}
		prev = append(prev[:0], e.hash...)
		s.lastSeq = e.seq
		expect++
		return nil
	})
	s.lastHash = prev
	if err == errStop {
		return nil
	}
	if err == nil && s.broken == nil && s.checked > 0 && s.lastSeq < s.hi {
		s.broken = &Broken{Seq: s.lastSeq + 1, Reason: "缺少序号 " + strconv.FormatInt(s.lastSeq+1, 10) + " 的事件(疑似被删除)"}
	}
	if err == nil && s.checked == 0 && s.lo <= s.hi {
		s.broken = &Broken{Seq: s.lo, Reason: "缺少序号 " + strconv.FormatInt(s.lo, 10) + " 的事件(疑似被删除)"}
	}
	return err
}
