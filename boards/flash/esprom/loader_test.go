package esprom

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// rig is a Loader and an Emulator joined by net.Pipe.
type rig struct {
	l    *Loader
	emu  *Emulator
	ends chan EndEvent
}

// newRig starts an Emulator on one end of a pipe and a Loader on the
// other; wrap, if not nil, wraps the Loader's end.
func newRig(t testing.TB, eo EmulatorOptions, wrap func(net.Conn) io.ReadWriter) *rig {
	t.Helper()
	host, dev := net.Pipe()
	r := &rig{ends: make(chan EndEvent, 4)}
	eo.OnEnd = func(ev EndEvent) { r.ends <- ev }
	r.emu = NewEmulator(eo)
	served := make(chan error, 1)
	go func() { served <- r.emu.Serve(context.Background(), dev) }()
	var port io.ReadWriter = host
	if wrap != nil {
		port = wrap(host)
	}
	r.l = NewLoader(port, nil)
	t.Cleanup(func() {
		r.l.Close()
		host.Close()
		dev.Close()
		<-served
	})
	return r
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func randomImage(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestLoaderAgainstEmulator(t *testing.T) {
	img := randomImage(100<<10+123, 7) // not a multiple of the block size
	tests := []struct {
		name     string
		offset   uint32
		compress bool
		refuse   bool // emulator refuses GET_SECURITY_INFO
		reboot   bool
	}{
		{"uncompressed at 0", 0, false, false, true},
		{"compressed at 0x10000", 0x10000, true, false, true},
		{"uncompressed, chip id by magic", 0x1000, false, true, false},
		{"compressed, chip id by magic", 0x3000, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := ctxT(t)
			r := newRig(t, EmulatorOptions{RefuseSecurityInfo: tt.refuse}, nil)
			if err := r.l.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			id, err := r.l.ChipID(ctx)
			if err != nil || id != ChipIDESP32C3 {
				t.Fatalf("ChipID = %d, %v; want 5", id, err)
			}
			mac, err := r.l.MAC(ctx)
			if err != nil || mac.String() != "60:55:f9:00:00:01" {
				t.Fatalf("MAC = %v, %v", mac, err)
			}
			if err := r.l.Attach(ctx); err != nil {
				t.Fatal(err)
			}
			if err := r.l.SetParams(ctx, DefaultFlashParams(4<<20)); err != nil {
				t.Fatal(err)
			}
			var last, calls int
			err = r.l.Flash(ctx, tt.offset, img, tt.compress, func(done, total int) {
				if total != len(img) || done < last || done > total {
					t.Errorf("progress %d/%d after %d", done, total, last)
				}
				last, calls = done, calls+1
			})
			if err != nil {
				t.Fatal(err)
			}
			if last != len(img) || calls == 0 {
				t.Fatalf("progress ended at %d after %d calls, want %d", last, calls, len(img))
			}
			sum, err := r.l.MD5(ctx, tt.offset, uint32(len(img)))
			if err != nil {
				t.Fatal(err)
			}
			if sum != md5.Sum(img) {
				t.Fatalf("MD5 %x, want %x", sum, md5.Sum(img))
			}
			flash := r.emu.Flash()
			if !bytes.Equal(flash[tt.offset:int(tt.offset)+len(img)], img) {
				t.Fatal("emulated flash does not hold the image at the offset")
			}
			if end := int(tt.offset) + len(img); flash[end] != 0xFF || (tt.offset > 0 && flash[tt.offset-1] != 0xFF) {
				t.Fatal("bytes around the image are not erased")
			}
			if regs := r.emu.Regions(); len(regs) != 1 || regs[0].Offset != int(tt.offset) || regs[0].Compressed != tt.compress {
				t.Fatalf("regions %+v", regs)
			}
			if err := r.l.Finish(ctx, tt.reboot); err != nil {
				t.Fatal(err)
			}
			want := EndEvent{Command: FlashEnd, Reboot: tt.reboot}
			if tt.compress {
				want.Command = FlashDeflEnd
			}
			select {
			case ev := <-r.ends:
				if ev != want {
					t.Fatalf("end event %+v, want %+v", ev, want)
				}
			case <-ctx.Done():
				t.Fatal("no end event")
			}
		})
	}
}

// corrupter flips the first data byte of one FLASH_DATA or FLASH_DEFL_DATA
// block on its way to the chip, leaving the checksum field as it was.
type corrupter struct {
	net.Conn
	seq uint32
}

func (c *corrupter) Write(p []byte) (int, error) {
	f, err := NewFrameReader(bytes.NewReader(p)).ReadFrame()
	if err == nil {
		if req, err := DecodeRequest(f); err == nil && (req.Command == FlashData || req.Command == FlashDeflData) &&
			len(req.Data) > 16 && binary.LittleEndian.Uint32(req.Data[4:]) == c.seq {
			req.Data[16] ^= 0x01
			if _, err := c.Conn.Write(EncodeSLIP(EncodeRequest(req.Command, req.Data, req.Checksum))); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	return c.Conn.Write(p)
}

func TestLoaderRefusals(t *testing.T) {
	img := randomImage(8<<10, 3)
	tests := []struct {
		name     string
		compress bool
		attach   bool
		want     error
		msg      string
	}{
		{"corrupt block checksum", false, true, CodeChecksum, "esprom: FLASH_DATA block 3: ROM error 0x07 (checksum)"},
		{"corrupt compressed block", true, true, CodeChecksum, "esprom: FLASH_DEFL_DATA block 3: ROM error 0x07 (checksum)"},
		{"flash before attach", false, false, CodeFailedToAct, "esprom: FLASH_BEGIN: ROM error 0x06 (failed to act on received message)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := ctxT(t)
			r := newRig(t, EmulatorOptions{}, func(c net.Conn) io.ReadWriter { return &corrupter{Conn: c, seq: 3} })
			if err := r.l.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if tt.attach {
				if err := r.l.Attach(ctx); err != nil {
					t.Fatal(err)
				}
			}
			im := img
			if tt.compress {
				im = randomImage(64<<10, 9) // enough compressed blocks to reach block 3
			}
			err := r.l.Flash(ctx, 0, im, tt.compress, nil)
			if !errors.Is(err, tt.want) || err.Error() != tt.msg {
				t.Fatalf("err %v, want %q", err, tt.msg)
			}
			var re *ROMError
			if !errors.As(err, &re) {
				t.Fatalf("%v is not a *ROMError", err)
			}
		})
	}
}

func TestUnknownCommandRefused(t *testing.T) {
	ctx := ctxT(t)
	r := newRig(t, EmulatorOptions{}, nil)
	_, err := r.l.Do(ctx, MemBegin, make([]byte, 16), 0, 0)
	if !errors.Is(err, CodeInvalidMessage) {
		t.Fatalf("err %v, want ROM error 0x05", err)
	}
}

func TestSyncSilentDevice(t *testing.T) {
	tests := []struct {
		name string
		dev  func(net.Conn) // what the silent device does with its end
		want string
	}{
		{"reads and never answers", func(c net.Conn) { io.Copy(io.Discard, c) }, "no answer after 3 attempts"},
		{"boot log only", func(c net.Conn) {
			go io.Copy(io.Discard, c)
			c.Write([]byte("ESP-ROM:esp32c3-api1-20210207\r\nrst:0x1 (POWERON),boot:0xc (SPI_FAST_FLASH_BOOT)\r\n"))
		}, "no answer after 3 attempts"},
		{"does not read", func(c net.Conn) {}, "write to the port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, dev := net.Pipe()
			go tt.dev(dev)
			l := NewLoader(host, &Options{SyncAttempts: 3, SyncTimeout: 50 * time.Millisecond, WriteTimeout: 50 * time.Millisecond})
			defer func() { l.Close(); host.Close(); dev.Close() }()
			start := time.Now()
			err := l.Sync(context.Background())
			el := time.Since(start)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "esprom: SYNC: ") {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
			if el > 2*time.Second {
				t.Fatalf("Sync took %v, bound is 3×50 ms", el)
			}
			t.Logf("%v after %v", err, el)
		})
	}
}

func TestSyncCancelled(t *testing.T) {
	host, dev := net.Pipe()
	go io.Copy(io.Discard, dev)
	l := NewLoader(host, nil)
	defer func() { l.Close(); host.Close(); dev.Close() }()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Sync(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// counter counts the bytes the host writes to the port.
type counter struct {
	net.Conn
	n atomic.Int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func wireBytes(t testing.TB, img []byte, compress bool) int64 {
	ctx := ctxT(t)
	var cnt *counter
	r := newRig(t, EmulatorOptions{}, func(c net.Conn) io.ReadWriter { cnt = &counter{Conn: c}; return cnt })
	if err := r.l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.l.Attach(ctx); err != nil {
		t.Fatal(err)
	}
	before := cnt.n.Load()
	if err := r.l.Flash(ctx, 0, img, compress, nil); err != nil {
		t.Fatal(err)
	}
	if sum, err := r.l.MD5(ctx, 0, uint32(len(img))); err != nil || sum != md5.Sum(img) {
		t.Fatalf("MD5 %x, %v", sum, err)
	}
	return cnt.n.Load() - before
}

// compressibleImage looks like firmware: repeated code-ish runs and zeros.
func compressibleImage() []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < 256<<10; i++ {
		b.WriteString("mqtt: client connected, keepalive=60 topic=sensors/")
		b.Write(bytes.Repeat([]byte{byte(i)}, 40))
		b.Write(make([]byte, 64))
	}
	return b.Bytes()
}

func TestWireBytesCompressedVsPlain(t *testing.T) {
	img := compressibleImage()
	plain := wireBytes(t, img, false)
	comp := wireBytes(t, img, true)
	t.Logf("image %d bytes: uncompressed path %d bytes on the wire, compressed path %d (%.1f%%)",
		len(img), plain, comp, 100*float64(comp)/float64(plain))
	if plain < int64(len(img)) {
		t.Fatalf("uncompressed path sent %d bytes for a %d-byte image", plain, len(img))
	}
	if comp*4 > plain {
		t.Fatalf("compressed path sent %d bytes, not under a quarter of %d", comp, plain)
	}
}

func BenchmarkFlash(b *testing.B) {
	img := compressibleImage()
	for _, compress := range []bool{false, true} {
		name := "plain"
		if compress {
			name = "deflate"
		}
		b.Run(name, func(b *testing.B) {
			var n int64
			for range b.N {
				n = wireBytes(b, img, compress)
			}
			b.SetBytes(int64(len(img)))
			b.ReportMetric(float64(n), "wire-bytes/op")
		})
	}
}
