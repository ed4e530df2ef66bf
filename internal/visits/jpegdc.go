package visits

import (
	"errors"
	"image"
)

// dcJPEG reads a baseline JPEG (sequential, Huffman-coded, 8-bit, grey or YCbCr) the way a
// decoder does — every marker segment and every block's Huffman codes, so a truncated or
// corrupt file fails — but keeps only the DC coefficient of each luma block: the picture's
// luma at 1/8 scale, which is all the perceptual hash needs. Without the inverse DCT and the
// per-pixel work of a full decode it costs a fraction of image/jpeg's time on a photo (the
// field app's photos are baseline JPEGs from the phone's canvas). Anything else — progressive,
// CMYK, RGB, 12-bit, tiny — answers errFullDecode and goes through image/jpeg.

var (
	errFullDecode = errors.New("jpeg: needs a full decode")
	errBadJPEG    = errors.New("jpeg: malformed")
)

type dcHuff struct {
	lut     [256]uint16 // 8-bit lookahead: length<<8 | symbol, 0 = longer code
	maxcode [17]int32   // largest code of each length, -1 for none
	valptr  [17]int32
	mincode [17]int32
	vals    []byte
	ok      bool
}

func (h *dcHuff) build(counts []byte, vals []byte) error {
	code, k := int32(0), int32(0)
	for l := 1; l <= 16; l++ {
		n := int32(counts[l-1])
		h.valptr[l], h.mincode[l] = k, code
		h.maxcode[l] = -1
		if n > 0 {
			h.maxcode[l] = code + n - 1
		}
		code += n
		k += n
		if code > 1<<l {
			return errBadJPEG
		}
		code <<= 1
	}
	h.vals = vals
	h.lut = [256]uint16{}
	code, k = 0, 0
	for l := 1; l <= 8; l++ {
		for i := 0; i < int(counts[l-1]); i++ {
			base := int(code) << (8 - l)
			for x := 0; x < 1<<(8-l); x++ {
				h.lut[base|x] = uint16(l)<<8 | uint16(vals[k])
			}
			code++
			k++
		}
		code <<= 1
	}
	h.ok = true
	return nil
}

// dcBits reads entropy-coded data: byte stuffing undone, stopped at a marker. Bits past the
// marker read as zeros and are counted: a block that needs them is truncated.
type dcBits struct {
	data   []byte
	pos    int
	acc    uint64 // left-aligned
	n      uint   // valid bits in acc
	pad    uint   // how many of them are padding past a marker
	marker bool
}

func (r *dcBits) fill() {
	for r.n <= 56 {
		var c byte
		if r.marker || r.pos >= len(r.data) {
			r.marker = true
			r.pad += 8
		} else {
			c = r.data[r.pos]
			r.pos++
			if c == 0xFF {
				if r.pos < len(r.data) && r.data[r.pos] == 0 {
					r.pos++
				} else {
					r.pos--
					r.marker = true
					r.pad += 8
					c = 0
				}
			}
		}
		r.acc |= uint64(c) << (56 - r.n)
		r.n += 8
	}
}

func (r *dcBits) consume(k uint) error {
	r.acc <<= k
	r.n -= k
	if r.n < r.pad {
		return errBadJPEG
	}
	return nil
}

func (r *dcBits) decode(h *dcHuff) (byte, error) {
	if r.n < 16 {
		r.fill()
	}
	if v := h.lut[r.acc>>56]; v != 0 {
		return byte(v), r.consume(uint(v >> 8))
	}
	for l := 9; l <= 16; l++ {
		code := int32(r.acc >> (64 - l))
		if code <= h.maxcode[l] {
			i := h.valptr[l] + code - h.mincode[l]
			if int(i) >= len(h.vals) {
				return 0, errBadJPEG
			}
			return h.vals[i], r.consume(uint(l))
		}
	}
	return 0, errBadJPEG
}

// receive reads s bits as a signed coefficient (JPEG's EXTEND).
func (r *dcBits) receive(s byte) (int32, error) {
	if s == 0 {
		return 0, nil
	}
	if r.n < uint(s) {
		r.fill()
	}
	v := int32(r.acc >> (64 - uint(s)))
	if err := r.consume(uint(s)); err != nil {
		return 0, err
	}
	if v < 1<<(s-1) {
		v -= 1<<s - 1
	}
	return v, nil
}

// restart skips to after the RSTn marker expected at the reader's position.
func (r *dcBits) restart(want int) error {
	r.acc, r.n, r.pad, r.marker = 0, 0, 0, false
	for r.pos < len(r.data) && r.data[r.pos] == 0xFF && r.pos+1 < len(r.data) && r.data[r.pos+1] == 0xFF {
		r.pos++
	}
	if r.pos+1 >= len(r.data) || r.data[r.pos] != 0xFF || r.data[r.pos+1] != byte(0xD0+want) {
		return errBadJPEG
	}
	r.pos += 2
	return nil
}

type dcComp struct {
	id, h, v, tq int
}

// decodeJPEGDC returns the picture's size and its luma at 1/8 scale (one pixel per 8×8 block).
func decodeJPEGDC(b []byte) (w, hgt int, luma *image.Gray, err error) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 0, 0, nil, errBadJPEG
	}
	var (
		qt          [4]int32
		qtOK        [4]bool
		dc, ac      [4]dcHuff
		comps       []dcComp
		hmax, vmax  int
		restartIval int
		plane       []int32
		pw, ph      int // plane size in blocks (whole MCUs)
		lumaSeen    bool
	)
	pos := 2
	for {
		if pos+1 >= len(b) {
			return 0, 0, nil, errBadJPEG // no EOI
		}
		if b[pos] != 0xFF {
			pos++ // junk between segments, as libjpeg tolerates
			continue
		}
		m := b[pos+1]
		if m == 0xFF {
			pos++
			continue
		}
		pos += 2
		if m == 0xD9 { // EOI
			break
		}
		if m >= 0xD0 && m <= 0xD7 || m == 0x01 || m == 0x00 {
			continue
		}
		if pos+2 > len(b) {
			return 0, 0, nil, errBadJPEG
		}
		n := int(b[pos])<<8 | int(b[pos+1])
		if n < 2 || pos+n > len(b) {
			return 0, 0, nil, errBadJPEG
		}
		seg := b[pos+2 : pos+n]
		pos += n
		switch {
		case m == 0xC0 || m == 0xC1:
			if comps != nil || len(seg) < 6 || seg[0] != 8 {
				return 0, 0, nil, errFullDecode
			}
			hgt, w = int(seg[1])<<8|int(seg[2]), int(seg[3])<<8|int(seg[4])
			nf := int(seg[5])
			if (nf != 1 && nf != 3) || len(seg) != 6+3*nf || w == 0 || hgt == 0 {
				return 0, 0, nil, errFullDecode
			}
			if nf == 3 && seg[6] == 'R' && seg[9] == 'G' && seg[12] == 'B' {
				return 0, 0, nil, errFullDecode // RGB named by its component ids
			}
			for i := 0; i < nf; i++ {
				c := dcComp{id: int(seg[6+3*i]), h: int(seg[7+3*i] >> 4), v: int(seg[7+3*i] & 15), tq: int(seg[8+3*i])}
				if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3 {
					return 0, 0, nil, errBadJPEG
				}
				hmax, vmax = max(hmax, c.h), max(vmax, c.v)
				comps = append(comps, c)
			}
			if w < 72 || hgt < 64 || int64(w)*int64(hgt) > maxPixels {
				return 0, 0, nil, errFullDecode
			}
			pw = (w + 8*hmax - 1) / (8 * hmax) * comps[0].h
			ph = (hgt + 8*vmax - 1) / (8 * vmax) * comps[0].v
			plane = make([]int32, pw*ph)
		case m >= 0xC2 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC:
			return 0, 0, nil, errFullDecode // progressive, lossless or arithmetic coding
		case m == 0xC4:
			for len(seg) > 0 {
				if len(seg) < 17 || seg[0]>>4 > 1 || seg[0]&15 > 3 {
					return 0, 0, nil, errBadJPEG
				}
				total := 0
				for _, c := range seg[1:17] {
					total += int(c)
				}
				if total == 0 || total > 256 || len(seg) < 17+total {
					return 0, 0, nil, errBadJPEG
				}
				t := &dc[seg[0]&15]
				if seg[0]>>4 == 1 {
					t = &ac[seg[0]&15]
				}
				if err := t.build(seg[1:17], seg[17:17+total]); err != nil {
					return 0, 0, nil, err
				}
				seg = seg[17+total:]
			}
		case m == 0xDB:
			for len(seg) > 0 {
				pq, tq := seg[0]>>4, seg[0]&15
				size := 1 + 64*(1+int(pq))
				if pq > 1 || tq > 3 || len(seg) < size {
					return 0, 0, nil, errBadJPEG
				}
				qt[tq], qtOK[tq] = int32(seg[1]), true
				if pq == 1 {
					qt[tq] = int32(seg[1])<<8 | int32(seg[2])
				}
				seg = seg[size:]
			}
		case m == 0xEE: // Adobe: transform 0 means the components are R, G, B, not Y, Cb, Cr
			if len(seg) >= 12 && string(seg[:5]) == "Adobe" && seg[11] == 0 {
				return 0, 0, nil, errFullDecode
			}
		case m == 0xDD:
			if len(seg) != 2 {
				return 0, 0, nil, errBadJPEG
			}
			restartIval = int(seg[0])<<8 | int(seg[1])
		case m == 0xDA:
			if comps == nil {
				return 0, 0, nil, errBadJPEG
			}
			next, y, err := dcScan(b, pos, seg, comps, hmax, vmax, w, hgt, restartIval, &qt, &qtOK, &dc, &ac, plane, pw)
			if err != nil {
				return 0, 0, nil, err
			}
			pos, lumaSeen = next, lumaSeen || y
		}
	}
	if !lumaSeen {
		return 0, 0, nil, errBadJPEG
	}
	// The blocks covering the picture, as grey: average = DC·q/8 + 128.
	bw := ((w*comps[0].h+hmax-1)/hmax + 7) / 8
	bh := ((hgt*comps[0].v+vmax-1)/vmax + 7) / 8
	luma = image.NewGray(image.Rect(0, 0, bw, bh))
	for y := 0; y < bh; y++ {
		for x := 0; x < bw; x++ {
			v := plane[y*pw+x]/8 + 128
			luma.Pix[y*luma.Stride+x] = uint8(min(max(v, 0), 255))
		}
	}
	return w, hgt, luma, nil
}

// dcScan decodes one scan starting at pos (after its header seg) and returns where the
// entropy-coded data ends and whether it carried the luma component.
func dcScan(b []byte, pos int, seg []byte, comps []dcComp, hmax, vmax, w, hgt, ival int, qt *[4]int32, qtOK *[4]bool,
	dc, ac *[4]dcHuff, plane []int32, pw int) (int, bool, error) {
	if len(seg) < 1 {
		return 0, false, errBadJPEG
	}
	ns := int(seg[0])
	if ns < 1 || ns > len(comps) || len(seg) != 4+2*ns {
		return 0, false, errBadJPEG
	}
	if seg[1+2*ns] != 0 || seg[2+2*ns] != 63 || seg[3+2*ns] != 0 {
		return 0, false, errBadJPEG // a sequential scan covers coefficients 0-63
	}
	type scomp struct {
		c      int // index in the frame
		dc, ac *dcHuff
		q      int32
		pred   int32
	}
	sc := make([]scomp, ns)
	luma := false
	for i := 0; i < ns; i++ {
		id, tables := int(seg[1+2*i]), seg[2+2*i]
		ci := -1
		for j, c := range comps {
			if c.id == id {
				ci = j
			}
		}
		td, ta := tables>>4, tables&15
		if ci < 0 || td > 3 || ta > 3 || !dc[td].ok || !ac[ta].ok || !qtOK[comps[ci].tq] {
			return 0, false, errBadJPEG
		}
		sc[i] = scomp{c: ci, dc: &dc[td], ac: &ac[ta], q: qt[comps[ci].tq]}
		luma = luma || ci == 0
	}
	r := &dcBits{data: b, pos: pos}
	block := func(s *scomp) (int32, error) {
		t, err := r.decode(s.dc)
		if err != nil || t > 11 {
			return 0, errBadJPEG
		}
		diff, err := r.receive(t)
		if err != nil {
			return 0, err
		}
		s.pred += diff
		for k := 1; k < 64; {
			rs, err := r.decode(s.ac)
			if err != nil {
				return 0, err
			}
			run, size := int(rs>>4), rs&15
			if size == 0 {
				if run != 15 {
					break // end of block
				}
				k += 16
				continue
			}
			k += run + 1
			if k > 64 {
				return 0, errBadJPEG
			}
			if r.n < uint(size) {
				r.fill()
			}
			if err := r.consume(uint(size)); err != nil {
				return 0, err
			}
		}
		return s.pred * s.q, nil
	}
	var mcusX, mcusY int
	if ns == 1 {
		c := comps[sc[0].c]
		mcusX = ((w*c.h+hmax-1)/hmax + 7) / 8
		mcusY = ((hgt*c.v+vmax-1)/vmax + 7) / 8
	} else {
		mcusX, mcusY = (w+8*hmax-1)/(8*hmax), (hgt+8*vmax-1)/(8*vmax)
	}
	rst := 0
	for m := 0; m < mcusX*mcusY; m++ {
		if ival > 0 && m > 0 && m%ival == 0 {
			if err := r.restart(rst); err != nil {
				return 0, false, err
			}
			rst = (rst + 1) & 7
			for i := range sc {
				sc[i].pred = 0
			}
		}
		mx, my := m%mcusX, m/mcusX
		for i := range sc {
			s := &sc[i]
			c := comps[s.c]
			hb, vb := c.h, c.v
			if ns == 1 {
				hb, vb = 1, 1
			}
			for v := 0; v < vb; v++ {
				for h := 0; h < hb; h++ {
					val, err := block(s)
					if err != nil {
						return 0, false, err
					}
					if s.c == 0 {
						bx, by := mx*hb+h, my*vb+v
						if bx < pw && by*pw+bx < len(plane) {
							plane[by*pw+bx] = val
						}
					}
				}
			}
		}
	}
	// The scan ends at the next marker (after the last byte's padding bits).
	p := r.pos
	for p+1 < len(b) && !(b[p] == 0xFF && b[p+1] != 0 && (b[p+1] < 0xD0 || b[p+1] > 0xD7)) {
		p++
	}
	return p, luma, nil
}
