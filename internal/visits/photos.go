package visits

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math/bits"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// Photo upload limits.
const (
	MaxPhotoBytes = 8 << 20 // a whole photo
	MaxPartBytes  = 1 << 20 // one part of its resumable upload
	maxPixels     = 50_000_000
	// staleUpload is how long another account's unfinished upload of the same bytes blocks a
	// new one; after that the newcomer takes it over.
	staleUpload = time.Hour
)

// PhotoStatus is how far the server has an upload: the phone resumes at Received.
type PhotoStatus struct {
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	Received int64  `json:"received"`
	Complete bool   `json:"complete"`
}

// PartConflict is the answer to a part sent at the wrong position: the phone resumes at
// Received (409 with "received" in the body).
type PartConflict struct {
	Message  string
	Received int64
}

func (e *PartConflict) Error() string { return "conflict: " + e.Message }

// photoInfo is what decoding a completed upload found.
type photoInfo struct {
	ContentType   string
	Width, Height int
	Hash          uint64 // 64-bit dHash
}

// decodeSlots bounds concurrent image decodes to the cores: decoding is CPU-bound and a big
// photo's pixels take memory, so a burst of phones queues instead of thrashing.
var decodeSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// inspectPhoto decodes a JPEG or PNG and computes its perceptual hash; anything else, or a
// picture too large to decode safely, is unsupported.
func inspectPhoto(b []byte) (photoInfo, error) {
	bad := errs.E(errs.Unsupported, "不是 JPEG/PNG 图片")
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || (format != "jpeg" && format != "png") {
		return photoInfo{}, bad
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return photoInfo{}, errs.E(errs.Unsupported, "图片尺寸 %d×%d 超出上限", cfg.Width, cfg.Height)
	}
	decodeSlots <- struct{}{}
	defer func() { <-decodeSlots }()
	if format == "jpeg" {
		// Baseline JPEG: every block's codes read, only the DC terms kept (see jpegdc.go).
		if w, h, luma, err := decodeJPEGDC(b); err == nil {
			return photoInfo{ContentType: "image/jpeg", Width: w, Height: h, Hash: dhashBlocks(luma, w, h)}, nil
		}
	}
	var img image.Image
	if format == "jpeg" {
		img, err = jpeg.Decode(bytes.NewReader(b))
	} else {
		img, err = png.Decode(bytes.NewReader(b))
	}
	if err != nil {
		return photoInfo{}, bad
	}
	r := img.Bounds()
	return photoInfo{ContentType: "image/" + format, Width: r.Dx(), Height: r.Dy(), Hash: DHash(img)}, nil
}

// DHash is the 64-bit difference hash of an image: its luma averaged down to 9×8 cells, one
// bit per horizontally adjacent pair (left brighter than right). Resizing, recompression and
// small edits change few bits; a different picture changes about half.
func DHash(img image.Image) uint64 {
	var cells [8][9]uint64
	var counts [8][9]uint64
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	if w == 0 || h == 0 {
		return 0
	}
	col := make([]int, w)
	for x := range col {
		col[x] = x * 9 / w
	}
	add := func(y int, luma []byte) {
		cy := y * 8 / h
		row, cnt := &cells[cy], &counts[cy]
		for x, v := range luma[:w] {
			cx := col[x]
			row[cx] += uint64(v)
			cnt[cx]++
		}
	}
	buf := make([]byte, w)
	rgb := func(pix []byte) []byte { // 4 bytes a pixel, R G B first
		for x := range buf {
			buf[x] = luma8(uint32(pix[4*x]), uint32(pix[4*x+1]), uint32(pix[4*x+2]))
		}
		return buf
	}
	for y := 0; y < h; y++ {
		switch m := img.(type) {
		case *image.YCbCr: // JPEG: the Y plane is the luma already
			off := m.YOffset(r.Min.X, r.Min.Y+y)
			add(y, m.Y[off:off+w])
		case *image.Gray:
			off := m.PixOffset(r.Min.X, r.Min.Y+y)
			add(y, m.Pix[off:off+w])
		case *image.NRGBA:
			off := m.PixOffset(r.Min.X, r.Min.Y+y)
			add(y, rgb(m.Pix[off:off+4*w]))
		case *image.RGBA:
			off := m.PixOffset(r.Min.X, r.Min.Y+y)
			add(y, rgb(m.Pix[off:off+4*w]))
		default:
			for x := range buf {
				cr, cg, cb, _ := img.At(r.Min.X+x, r.Min.Y+y).RGBA()
				buf[x] = luma8(cr>>8, cg>>8, cb>>8)
			}
			add(y, buf)
		}
	}
	return dhashCells(&cells, &counts)
}

// dhashCells sets one bit per horizontally adjacent pair of cells: left brighter than right.
func dhashCells(cells, counts *[8][9]uint64) uint64 {
	var out uint64
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			a, b := avg(cells[y][x], counts[y][x]), avg(cells[y][x+1], counts[y][x+1])
			out <<= 1
			if a > b {
				out |= 1
			}
		}
	}
	return out
}

// dhashBlocks is DHash of a w×h picture given as its 8×8 block averages (luma, one pixel a
// block): each block counts in a cell for the pixels it covers there, so the cells are those
// of the full picture.
func dhashBlocks(blocks *image.Gray, w, h int) uint64 {
	// weights[i] lists, for block column (or row) i, the cells it covers and with how many pixels.
	type share struct{ cell, n int }
	split := func(size, cells, nblocks int) [][]share {
		out := make([][]share, nblocks)
		for p := 0; p < size; p++ {
			b, c := p/8, p*cells/size
			if b >= nblocks {
				break
			}
			if l := len(out[b]); l > 0 && out[b][l-1].cell == c {
				out[b][l-1].n++
			} else {
				out[b] = append(out[b], share{c, 1})
			}
		}
		return out
	}
	bw, bh := blocks.Rect.Dx(), blocks.Rect.Dy()
	xs, ys := split(w, 9, bw), split(h, 8, bh)
	var cells, counts [8][9]uint64
	for by, ry := range ys {
		row := blocks.Pix[by*blocks.Stride:]
		for bx, rx := range xs {
			v := uint64(row[bx])
			for _, sy := range ry {
				for _, sx := range rx {
					n := uint64(sy.n * sx.n)
					cells[sy.cell][sx.cell] += v * n
					counts[sy.cell][sx.cell] += n
				}
			}
		}
	}
	return dhashCells(&cells, &counts)
}

// luma8 is BT.601 luma, as JPEG's Y channel, so a PNG and a JPEG of one picture hash alike.
func luma8(r, g, b uint32) byte { return byte((299*r + 587*g + 114*b) / 1000) }

// avg is a cell's mean luma ×16 (a cell narrower than a pixel borrows nothing: 0).
func avg(sum, n uint64) uint64 {
	if n == 0 {
		return 0
	}
	return sum * 16 / n
}

// Bands splits a hash into the four 16-bit bands stored as ph1..ph4 (high to low).
func Bands(h uint64) [4]int64 {
	return [4]int64{int64(h >> 48 & 0xffff), int64(h >> 32 & 0xffff), int64(h >> 16 & 0xffff), int64(h & 0xffff)}
}

// Hamming is the number of differing bits of two hashes.
func Hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// HashHex and ParseHash convert a hash to and from its stored 16-hex-digit form.
func HashHex(h uint64) string { return fmt.Sprintf("%016x", h) }

func ParseHash(s string) (uint64, bool) {
	if len(s) != 16 {
		return 0, false
	}
	h, err := strconv.ParseUint(s, 16, 64)
	return h, err == nil
}

// Photo returns the state of an upload. Another account's unfinished upload is invisible
// (404); a complete photo answers complete whoever sent it, so identical bytes are never
// sent twice.
func (s *Service) Photo(ctx context.Context, p *auth.Principal, sha string) (PhotoStatus, error) {
	if _, err := s.myHelper(ctx, s.DB.Reader(), p); err != nil {
		return PhotoStatus{}, err
	}
	if !ValidSHA256(sha) {
		return PhotoStatus{}, errs.Field("sha256", "应为 64 位十六进制小写字符")
	}
	rec, found, err := getPhotoRec(ctx, s.DB.Reader(), sha)
	if err != nil {
		return PhotoStatus{}, err
	}
	if !found || (!rec.Complete && rec.UploadedBy != p.UserID) {
		return PhotoStatus{}, errs.E(errs.NotFound, "服务器上没有照片 %s 的上传,请从头上传", sha[:8])
	}
	return rec.status(sha), nil
}

// CheckPart validates a part's position and the photo's total size before its body is read.
func CheckPart(sha string, pos, size int64) error {
	if !ValidSHA256(sha) {
		return errs.Field("sha256", "应为 64 位十六进制小写字符")
	}
	if size > MaxPhotoBytes {
		return errs.E(errs.TooLarge, "照片 %d 字节,超过 8 MB 上限", size)
	}
	if size < 1 {
		return errs.Field("size", "照片总字节数应为正整数")
	}
	if pos < 0 || pos >= size {
		return errs.Field("pos", "起始位置应在 0 到 照片大小-1 之间")
	}
	return nil
}

// PutPart stores one part of a resumable upload at pos. The part that completes the photo is
// checked against its SHA-256 (a mismatch discards the upload: the phone restarts) and decoded
// (not JPEG/PNG: discarded); then the photo is complete. A single-part photo is written with
// one INSERT and never touches photo_parts.
func (s *Service) PutPart(ctx context.Context, p *auth.Principal, sha string, pos, size int64, body io.Reader) (PhotoStatus, error) {
	if err := CheckPart(sha, pos, size); err != nil {
		return PhotoStatus{}, err
	}
	if _, err := s.myHelper(ctx, s.DB.Reader(), p); err != nil {
		return PhotoStatus{}, err
	}
	want := min(size-pos, MaxPartBytes)
	buf := bytes.NewBuffer(make([]byte, 0, want+bytes.MinRead)) // the whole part in one allocation
	_, err := buf.ReadFrom(io.LimitReader(body, want+1))
	part := buf.Bytes()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return PhotoStatus{}, errs.E(errs.TooLarge, "每段不超过 1 MB")
		}
		return PhotoStatus{}, errs.E(errs.Invalid, "照片分段未能完整接收,请重试")
	}
	if int64(len(part)) > MaxPartBytes {
		return PhotoStatus{}, errs.E(errs.TooLarge, "每段不超过 1 MB")
	}
	if len(part) == 0 {
		return PhotoStatus{}, errs.Field("body", "照片分段为空")
	}
	if int64(len(part)) > size-pos {
		return PhotoStatus{}, errs.Field("body", fmt.Sprintf("分段超出照片总大小 %d 字节", size))
	}
	rec, found, err := getPhotoRec(ctx, s.DB.Reader(), sha)
	if err != nil {
		return PhotoStatus{}, err
	}
	if found && rec.Complete {
		return rec.status(sha), nil
	}
	var restart bool // an unusable earlier upload is dropped when this one is stored
	if found && rec.UploadedBy != p.UserID {
		if pos != 0 || s.DB.Clock().Sub(rec.UpdatedAt) < staleUpload {
			return PhotoStatus{}, &PartConflict{Message: "照片正由其他账号上传,请稍后从第 0 字节重新上传", Received: 0}
		}
		restart = true
	} else if found && rec.Size != size {
		if pos != 0 {
			if err := s.discardPhoto(ctx, sha, p.UserID); err != nil {
				return PhotoStatus{}, err
			}
			return PhotoStatus{}, &PartConflict{Message: fmt.Sprintf("照片大小与已上传部分(%d 字节)不符,请从第 0 字节重新上传", rec.Size), Received: 0}
		}
		restart = true
	}
	received := rec.Received
	if restart || !found {
		received = 0
	}
	if pos != received {
		return PhotoStatus{}, &PartConflict{Message: fmt.Sprintf("应从第 %d 字节续传,收到的分段从第 %d 字节开始", received, pos), Received: received}
	}
	end := pos + int64(len(part))
	if end < size {
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			if err := recheck(ctx, tx, sha, p.UserID, rec, found, restart); err != nil {
				return err
			}
			return appendPart(ctx, tx, sha, p.UserID, size, pos, part, found && !restart)
		})
		return PhotoStatus{SHA256: sha, Size: size, Received: end}, err
	}
	// The last part: assemble, check, decode outside the write transaction.
	data := part
	if pos > 0 {
		prior, err := readParts(ctx, s.DB.Reader(), sha)
		if err != nil {
			return PhotoStatus{}, err
		}
		if int64(len(prior)) != pos {
			return PhotoStatus{}, &PartConflict{Message: "已上传部分不完整,请从第 0 字节重新上传", Received: 0}
		}
		data = append(prior, part...)
	}
	sum := sha256.Sum256(data)
	stored := found || pos > 0 // an earlier part or upload to drop when this one fails
	if hex.EncodeToString(sum[:]) != sha {
		if stored {
			if err := s.discardPhoto(ctx, sha, p.UserID); err != nil {
				return PhotoStatus{}, err
			}
		}
		return PhotoStatus{}, errs.E(errs.Invalid, "照片内容与 SHA-256 不符")
	}
	info, err := inspectPhoto(data)
	if err != nil {
		if stored {
			if derr := s.discardPhoto(ctx, sha, p.UserID); derr != nil {
				return PhotoStatus{}, derr
			}
		}
		return PhotoStatus{}, err
	}
	out := PhotoStatus{SHA256: sha, Size: size, Received: size, Complete: true}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if !found && pos == 0 {
			return insertPhoto(ctx, tx, sha, p.UserID, data, info) // a unique violation: someone else's, below
		}
		cur, ok, err := getPhotoRec(ctx, tx, sha)
		if err != nil {
			return err
		}
		if ok && cur.Complete {
			return nil // identical bytes completed meanwhile
		}
		if pos > 0 && (!ok || cur.UploadedBy != p.UserID || cur.Received != pos) {
			return &PartConflict{Message: "上传状态已变化,请查询后续传", Received: 0}
		}
		if ok {
			return completePhoto(ctx, tx, sha, p.UserID, data, info)
		}
		return insertPhoto(ctx, tx, sha, p.UserID, data, info)
	})
	if errs.CodeOf(err) == errs.Conflict { // a concurrent upload of the same bytes won the INSERT
		if cur, ok, rerr := getPhotoRec(ctx, s.DB.Reader(), sha); rerr == nil && ok {
			if cur.Complete {
				return cur.status(sha), nil
			}
			return PhotoStatus{}, &PartConflict{Message: "照片正由其他账号上传,请稍后从第 0 字节重新上传", Received: 0}
		}
	}
	return out, err
}

// recheck confirms, inside the write transaction, that the upload is where the read before it
// found it (a concurrent part from a second tab would otherwise interleave), and drops an
// upload being restarted.
func recheck(ctx context.Context, tx *db.Tx, sha string, user int64, was photoRec, found, restart bool) error {
	cur, ok, err := getPhotoRec(ctx, tx, sha)
	if err != nil {
		return err
	}
	if ok != found || (ok && (cur.Complete || cur.Received != was.Received || cur.UploadedBy != was.UploadedBy)) {
		r := int64(0)
		if ok && cur.UploadedBy == user && !cur.Complete {
			r = cur.Received
		}
		return &PartConflict{Message: fmt.Sprintf("上传状态已变化,应从第 %d 字节续传", r), Received: r}
	}
	if restart {
		return deletePhoto(ctx, tx, sha)
	}
	return nil
}

// discardPhoto drops an unfinished upload of the user (a failed check: the phone restarts).
func (s *Service) discardPhoto(ctx context.Context, sha string, user int64) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, ok, err := getPhotoRec(ctx, tx, sha)
		if err != nil || !ok || cur.Complete || cur.UploadedBy != user {
			return err
		}
		return deletePhoto(ctx, tx, sha)
	})
}
