package bootrom_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/bootrom"
	"github.com/gatomqtt/gatomqtt/boards/flash/uf2"
)

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*13) ^ seed
	}
	return b
}

func encode(t *testing.T, image []byte, base, family uint32) []byte {
	t.Helper()
	file, err := uf2.Encode(image, base, family)
	if err != nil {
		t.Fatal(err)
	}
	return file
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range entries {
		n = append(n, e.Name())
	}
	return n
}

// entered returns a BOOTSEL whose drive is there, with fast polling.
func entered(t *testing.T) *bootrom.BOOTSEL {
	t.Helper()
	b := &bootrom.BOOTSEL{Dir: filepath.Join(t.TempDir(), "RPI-RP2"), Poll: time.Millisecond}
	if err := b.Enter(); err != nil {
		t.Fatal(err)
	}
	return b
}

// waitFor runs Wait bounded by d.
func waitFor(b *bootrom.BOOTSEL, d time.Duration) (*uf2.Image, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return b.Wait(ctx)
}

// TestEnter: the drive appears with the bootrom's two files only, and
// INFO_UF2.TXT is what hosts recognise as the RP2040 bootrom.
func TestEnter(t *testing.T) {
	b := &bootrom.BOOTSEL{Dir: filepath.Join(t.TempDir(), "RPI-RP2")}
	if err := b.Enter(); err != nil {
		t.Fatal(err)
	}
	// Leftovers of a previous session go.
	for _, name := range []string{"old.uf2", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(b.Dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(b.Dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := b.Enter(); err != nil {
		t.Fatal(err)
	}
	if got := names(t, b.Dir); !slices.Equal(got, []string{"INDEX.HTM", "INFO_UF2.TXT"}) {
		t.Errorf("drive holds %v", got)
	}
	text, err := os.ReadFile(filepath.Join(b.Dir, "INFO_UF2.TXT"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := uf2.ParseInfo(string(text))
	if err != nil || !in.RP2040Bootrom() || in.Version != "v3.0" || in.Model != "Raspberry Pi RP2" {
		t.Errorf("INFO_UF2.TXT %q parses as %+v, %v", text, in, err)
	}
}

// TestWaitAccepts: a valid file under any .uf2 name is taken, written to
// flash as the bootrom writes it, and the drive goes.
func TestWaitAccepts(t *testing.T) {
	for _, name := range []string{"firmware.uf2", "FLASH.UF2", "x.Uf2"} {
		t.Run(name, func(t *testing.T) {
			b := entered(t)
			img := pattern(3000, 1)
			if err := os.WriteFile(filepath.Join(b.Dir, name), encode(t, img, uf2.RP2040FlashBase, uf2.FamilyRP2040), 0o644); err != nil {
				t.Fatal(err)
			}
			im, err := waitFor(b, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if im.Blocks != 12 || len(im.Chunks) != 1 || !bytes.Equal(im.Chunks[0].Data[:len(img)], img) {
				t.Errorf("image of %d blocks, %d chunks", im.Blocks, len(im.Chunks))
			}
			fl := b.Flash()
			if len(fl) != uf2.DefaultFlashSize || !bytes.Equal(fl[:len(img)], img) {
				t.Fatalf("flash of %d bytes does not start with the image", len(fl))
			}
			// The page's padding is the file's zeros; the rest of the
			// sector is erased.
			if fl[3071] != 0 || fl[3072] != 0xff || fl[4096] != 0xff {
				t.Errorf("flash around the image: %#x %#x %#x", fl[3071], fl[3072], fl[4096])
			}
			if got := names(t, b.Dir); len(got) != 0 {
				t.Errorf("the drive did not go: %v", got)
			}
			if b.Refusals() != 0 || b.LastRefusal() != nil {
				t.Errorf("refusals %d, %v", b.Refusals(), b.LastRefusal())
			}
		})
	}
}

// TestWaitErasesSectors: a second image erases the 4 KiB sectors it
// writes into and leaves the others as they were.
func TestWaitErasesSectors(t *testing.T) {
	b := entered(t)
	write := func(file []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(b.Dir, "f.uf2"), file, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := waitFor(b, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	write(encode(t, bytes.Repeat([]byte{0xaa}, 8192), uf2.RP2040FlashBase, uf2.FamilyRP2040))
	if err := b.Enter(); err != nil {
		t.Fatal(err)
	}
	write(encode(t, bytes.Repeat([]byte{0x55}, 256), uf2.RP2040FlashBase, uf2.FamilyRP2040))
	fl := b.Flash()
	if fl[0] != 0x55 || fl[255] != 0x55 || fl[256] != 0xff || fl[4095] != 0xff || fl[4096] != 0xaa || fl[8191] != 0xaa {
		t.Errorf("flash: %#x %#x %#x %#x %#x %#x", fl[0], fl[255], fl[256], fl[4095], fl[4096], fl[8191])
	}
}

// TestWaitWaitsForCopy: a file still being copied is not taken (Wait runs
// into its deadline); once complete it is.
func TestWaitWaitsForCopy(t *testing.T) {
	file := encode(t, pattern(4*256, 2), uf2.RP2040FlashBase, uf2.FamilyRP2040)
	tests := []struct {
		name    string
		partial []byte
	}{
		{"half a block", file[:256]},
		{"one block and a half", file[:768]},
		{"two of four blocks", file[:1024]},
		{"empty", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := entered(t)
			path := filepath.Join(b.Dir, "fw.uf2")
			if err := os.WriteFile(path, tt.partial, 0o644); err != nil {
				t.Fatal(err)
			}
			if im, err := waitFor(b, 50*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("partial file: %v, %v; want the deadline", im, err)
			}
			if b.Refusals() != 0 {
				t.Errorf("a partial file was refused: %v", b.LastRefusal())
			}
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write(file[len(tt.partial):]); err != nil {
				t.Fatal(err)
			}
			f.Close()
			if im, err := waitFor(b, 10*time.Second); err != nil || im.Blocks != 4 {
				t.Fatalf("complete file: %v, %v", im, err)
			}
		})
	}
}

// TestWaitRefuses: a complete file the bootrom would not take is ignored
// once, with the reason, and the drive stays for the next copy.
func TestWaitRefuses(t *testing.T) {
	good := encode(t, pattern(512, 3), uf2.RP2040FlashBase, uf2.FamilyRP2040)
	badMagic := bytes.Clone(good)
	badMagic[512+508] ^= 0xff
	tests := []struct {
		name  string
		rules uf2.Rules
		file  []byte
		want  string
	}{
		{"ESP32-C3 family", uf2.Rules{}, encode(t, pattern(512, 3), uf2.RP2040FlashBase, uf2.FamilyESP32C3), "family 0xd42ba06c (ESP32-C3)"},
		{"in RAM", uf2.Rules{}, encode(t, pattern(512, 3), 0x20000000, uf2.FamilyRP2040), "outside flash"},
		{"corrupt block", uf2.Rules{}, badMagic, "block 1: final magic"},
		{"not UF2", uf2.Rules{}, make([]byte, 1024), "block 0: first magic"},
		{"too big for the flash", uf2.Rules{Family: uf2.FamilyRP2040, FlashBase: uf2.RP2040FlashBase, FlashSize: 256}, good, "outside flash 0x10000000..0x10000100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var logged []string
			b := entered(t)
			b.Rules = tt.rules
			b.Logf = func(format string, a ...any) {
				mu.Lock()
				defer mu.Unlock()
				logged = append(logged, strings.TrimSpace(format))
			}
			if err := os.WriteFile(filepath.Join(b.Dir, "a.uf2"), tt.file, 0o644); err != nil {
				t.Fatal(err)
			}
			// Many polls see the file; it is refused once.
			if _, err := waitFor(b, 50*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("refused file: %v; want the deadline", err)
			}
			if n := b.Refusals(); n != 1 {
				t.Errorf("%d refusals, want 1", n)
			}
			if err := b.LastRefusal(); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "a.uf2") {
				t.Errorf("last refusal %v, want it to name a.uf2 and say %q", err, tt.want)
			}
			mu.Lock()
			if len(logged) != 1 {
				t.Errorf("logged %d times", len(logged))
			}
			mu.Unlock()
			if b.Flash() != nil {
				t.Error("a refused file reached the flash")
			}
			// Still in BOOTSEL: a good copy is taken.
			if tt.rules == (uf2.Rules{}) {
				if err := os.WriteFile(filepath.Join(b.Dir, "b.uf2"), good, 0o644); err != nil {
					t.Fatal(err)
				}
				if im, err := waitFor(b, 10*time.Second); err != nil || im.Blocks != 2 {
					t.Fatalf("good file after a refused one: %v, %v", im, err)
				}
			}
		})
	}
}

func TestWaitWithoutDrive(t *testing.T) {
	b := &bootrom.BOOTSEL{Dir: filepath.Join(t.TempDir(), "absent")}
	_, err := waitFor(b, 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "call Enter first") {
		t.Fatalf("Wait without Enter: %v", err)
	}
}
