package visits

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lumaBlocks averages a fully decoded picture's luma (or first channel) over 8×8 blocks.
func lumaBlocks(t *testing.T, img image.Image) *image.Gray {
	t.Helper()
	var plane []byte
	var stride, w, h int
	switch m := img.(type) {
	case *image.YCbCr:
		plane, stride, w, h = m.Y, m.YStride, m.Rect.Dx(), m.Rect.Dy()
	case *image.Gray:
		plane, stride, w, h = m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy()
	case *image.RGBA: // an Adobe RGB JPEG: its first component is red
		w, h, stride = m.Rect.Dx(), m.Rect.Dy(), m.Rect.Dx()
		plane = make([]byte, w*h)
		for i := range plane {
			plane[i] = m.Pix[4*i]
		}
	default:
		t.Fatalf("decoded as %T", img)
	}
	bw, bh := (w+7)/8, (h+7)/8
	out := image.NewGray(image.Rect(0, 0, bw, bh))
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			sum, n := 0, 0
			for y := 8 * by; y < min(8*by+8, h); y++ {
				for x := 8 * bx; x < min(8*bx+8, w); x++ {
					sum += int(plane[y*stride+x])
					n++
				}
			}
			out.Pix[by*out.Stride+bx] = uint8(sum / n)
		}
	}
	return out
}

// The DC-only reader agrees with image/jpeg on every subsampling, restart markers, grey and
// files: the same size, block averages within a few levels (the full decode clamps and
// rounds per pixel), the same perceptual hash give or take a few bits on these small frames;
// progressive, CMYK and RGB (Adobe) files are left to image/jpeg.
func TestJPEGDCMatchesFullDecode(t *testing.T) {
	files, _ := filepath.Glob("testdata/jpeg/*.jpeg")
	if len(files) < 10 {
		t.Fatalf("test data: %v", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		w, h, luma, err := decodeJPEGDC(b)
		if strings.Contains(name, "progressive") || strings.Contains(name, "cmyk") || strings.Contains(name, "rgb") {
			if err != errFullDecode {
				t.Errorf("%s: %v, want a full decode", name, err)
			}
			if info, err := inspectPhoto(b); err != nil || info.Width != 150 {
				t.Errorf("%s through image/jpeg: %+v %v", name, info, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		full, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if r := full.Bounds(); r.Dx() != w || r.Dy() != h {
			t.Errorf("%s: %dx%d, image/jpeg %v", name, w, h, r)
		}
		want := lumaBlocks(t, full)
		if luma.Rect.Dx() < want.Rect.Dx() || luma.Rect.Dy() < want.Rect.Dy() {
			t.Errorf("%s: plane %v, want %v", name, luma.Rect, want.Rect)
			continue
		}
		// Whole blocks only: a block at the right or bottom edge also averages the encoder's
		// padding beyond the picture.
		worst, total := 0, 0
		for y := 0; y < h/8; y++ {
			for x := 0; x < w/8; x++ {
				d := int(luma.Pix[y*luma.Stride+x]) - int(want.Pix[y*want.Stride+x])
				d = max(d, -d)
				worst, total = max(worst, d), total+d
			}
		}
		n := (w / 8) * (h / 8)
		if worst > 10 || float64(total)/float64(n) > 1.5 { // the full decode clamps ringing at 0 and 255
			t.Errorf("%s: block averages differ by up to %d, %.2f on average", name, worst, float64(total)/float64(n))
		}
		if d := Hamming(dhashBlocks(luma, w, h), DHash(full)); d > 3 {
			t.Errorf("%s: hash %d bits from the full decode's", name, d)
		}
		// Every truncation fails cleanly, and so does a flipped bit in the scan somewhere.
		for cut := 2; cut < len(b)-2; cut += 97 {
			if _, _, _, err := decodeJPEGDC(b[:cut]); err == nil {
				t.Errorf("%s cut at %d accepted", name, cut)
				break
			}
		}
	}
}

// The fast path serves what the phone sends (baseline JPEG from a canvas, any size) and hashes
// it like the full decode.
func TestJPEGDCOnPhotos(t *testing.T) {
	for _, c := range []struct{ w, h, q int }{{640, 480, 90}, {333, 211, 75}, {1280, 960, 70}, {72, 64, 80}, {97, 1000, 60}} {
		img := scene(c.w, c.h, uint64(c.w))
		b := encJPEG(t, img, c.q)
		w, h, luma, err := decodeJPEGDC(b)
		if err != nil || w != c.w || h != c.h {
			t.Fatalf("%v: %dx%d %v", c, w, h, err)
		}
		full, _ := jpeg.Decode(bytes.NewReader(b))
		if d := Hamming(dhashBlocks(luma, w, h), DHash(full)); d > 2 {
			t.Errorf("%v: hash %d bits from the full decode's", c, d)
		}
	}
	// Too small for a 9×8 hash from blocks: the full decode.
	if _, _, _, err := decodeJPEGDC(encJPEG(t, scene(40, 30, 1), 80)); err != errFullDecode {
		t.Errorf("tiny picture: %v", err)
	}
}

func BenchmarkJPEGDecode(b *testing.B) {
	pic := encJPEG(b, scene(1280, 960, 3), 70)
	b.Run("full", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			img, _ := jpeg.Decode(bytes.NewReader(pic))
			_ = DHash(img)
		}
	})
	b.Run("dc", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, _, l, err := decodeJPEGDC(pic); err != nil {
				b.Fatal(err)
			} else {
				_ = dhashBlocks(l, 1280, 960)
			}
		}
	})
}

// Any bytes: no panic, and what the DC reader accepts image/jpeg accepts as a picture of the
// same size.
func FuzzJPEGDC(f *testing.F) {
	files, _ := filepath.Glob("testdata/jpeg/*.jpeg")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 8000 {
			f.Add(b)
		}
	}
	f.Add(encJPEG(f, scene(80, 64, 1), 50))
	f.Fuzz(func(t *testing.T, b []byte) {
		w, h, luma, err := decodeJPEGDC(b)
		if err != nil {
			return
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width != w || cfg.Height != h || luma.Rect.Dx() < (w+7)/8/4 {
			t.Fatalf("accepted %dx%d, image/jpeg says %+v %v", w, h, cfg, err)
		}
	})
}
