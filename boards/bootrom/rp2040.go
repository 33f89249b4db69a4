package bootrom

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/flash/uf2"
)

// RP2040 bootrom drive contents, as the bootrom (v3.0, the Pico's B1/B2
// silicon) serves them on its RPI-RP2 drive.
const (
	// InfoUF2 is INFO_UF2.TXT; hosts read it to tell the RP2040 bootrom
	// from other UF2 drives.
	InfoUF2 = "UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n"
	// IndexHTM is INDEX.HTM, a redirect to the RP2040's documentation.
	IndexHTM = "<html><head><meta http-equiv=\"refresh\" content=\"0;URL='https://raspberrypi.com/device/RP2?version=E0C9125B0D9B'\"/></head><body>Redirecting to <a href='https://raspberrypi.com/device/RP2?version=E0C9125B0D9B'>raspberrypi.com</a></body></html>\n"
)

// DefaultBOOTSELPoll is how often Wait looks at the drive's folder when
// BOOTSEL.Poll is zero: quick enough that a twin reboots about when a
// board would, cheap enough to leave running.
const DefaultBOOTSELPoll = 20 * time.Millisecond

// sectorSize is the flash erase unit: the bootrom erases a 4 KiB sector
// before it programs the first 256-byte page that falls into it, so the
// rest of a touched sector reads back as 0xFF.
const sectorSize = 4096

// BOOTSEL is the RP2040 bootrom's RPI-RP2 mass-storage drive emulated as
// a folder, for the Pico's Go twin: what a host copies into Dir is what
// it would copy onto the drive.
//
// The drive "appears" with Enter and "disappears" when Wait accepts a
// file: Dir is then emptied, not removed, so that a folder shared with
// the host (a bind mount, a volume) survives; a host that looks for the
// drive looks for INFO_UF2.TXT in it, as for a mount point.
//
// The methods may be called from several goroutines; Enter and Wait are
// meant to be called in turn, one Wait at a time.
type BOOTSEL struct {
	// Dir is the folder that stands for the drive.
	Dir string
	// Rules are what the bootrom accepts; the zero value means uf2.RP2040.
	Rules uf2.Rules
	// Logf, when set, is told of every refused file.
	Logf func(format string, a ...any)
	// Poll is the interval at which Wait looks at Dir; zero means
	// DefaultBOOTSELPoll.
	Poll time.Duration

	mu       sync.Mutex
	refusals int
	last     error
	flash    []byte
	refused  map[string]fileStamp // files refused since Enter, by name
}

// fileStamp identifies one version of a file, so that a refused file is
// refused (and counted) once, and a new copy under the same name is
// looked at afresh.
type fileStamp struct {
	size int64
	mod  time.Time
}

func (b *BOOTSEL) rules() uf2.Rules {
	if b.Rules == (uf2.Rules{}) {
		return uf2.RP2040
	}
	return b.Rules
}

func (b *BOOTSEL) poll() time.Duration {
	if b.Poll <= 0 {
		return DefaultBOOTSELPoll
	}
	return b.Poll
}

// Enter makes the drive appear, as after a 1200-baud touch or a reset
// with the BOOTSEL button held: Dir is created if needed and holds
// INFO_UF2.TXT and INDEX.HTM and nothing else; whatever a previous
// session left there is removed, as the real drive starts out with only
// those two files.
func (b *BOOTSEL) Enter() error {
	if err := os.MkdirAll(b.Dir, 0o755); err != nil {
		return fmt.Errorf("bootrom: creating the BOOTSEL drive's folder: %w", err)
	}
	if err := empty(b.Dir); err != nil {
		return fmt.Errorf("bootrom: clearing the BOOTSEL drive's folder: %w", err)
	}
	for name, text := range map[string]string{"INFO_UF2.TXT": InfoUF2, "INDEX.HTM": IndexHTM} {
		if err := os.WriteFile(filepath.Join(b.Dir, name), []byte(text), 0o644); err != nil {
			return fmt.Errorf("bootrom: writing the BOOTSEL drive's %s: %w", name, err)
		}
	}
	b.mu.Lock()
	b.refused = map[string]fileStamp{}
	b.mu.Unlock()
	return nil
}

// empty removes everything in dir, leaving dir.
func empty(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		errs = append(errs, os.RemoveAll(filepath.Join(dir, e.Name())))
	}
	return errors.Join(errs...)
}

// Wait returns the image of the first UF2 file in Dir (any name ending
// in .uf2, in any case) that is complete and that the bootrom accepts,
// after writing it into the flash (see Flash) and emptying Dir: the
// board has rebooted into the image.
//
// A file is complete when its size is a whole number of 512-byte blocks
// and at least the total count its first block gives: until then it is
// still being copied and is waited for. A complete file the bootrom would
// not take (another family, addresses outside flash, a bad block count)
// is refused as the bootrom refuses it, by ignoring it and staying in
// BOOTSEL: the reason goes to Logf and LastRefusal, Refusals counts it,
// and Wait goes on waiting.
//
// Wait looks at Dir every Poll until ctx is done. It fails if Dir is not
// there: call Enter first.
func (b *BOOTSEL) Wait(ctx context.Context) (*uf2.Image, error) {
	t := time.NewTicker(b.poll())
	defer t.Stop()
	for {
		im, err := b.scan()
		if err != nil || im != nil {
			return im, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("bootrom: waiting for a UF2 file in the BOOTSEL drive %s: %w", b.Dir, ctx.Err())
		case <-t.C:
		}
	}
}

// scan looks at Dir once. It returns the image of an accepted file, or
// nil and no error when there is none yet.
func (b *BOOTSEL) scan() (*uf2.Image, error) {
	entries, err := os.ReadDir(b.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("bootrom: the BOOTSEL drive %s is not there: call Enter first", b.Dir)
	}
	if err != nil {
		return nil, fmt.Errorf("bootrom: reading the BOOTSEL drive: %w", err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.EqualFold(filepath.Ext(e.Name()), ".uf2") {
			continue
		}
		im, err := b.look(e.Name())
		if err != nil {
			b.refuse(e.Name(), err)
			continue
		}
		if im == nil {
			continue
		}
		b.write(im)
		if err := empty(b.Dir); err != nil {
			return nil, fmt.Errorf("bootrom: flashed %s, but the BOOTSEL drive would not go: %w", e.Name(), err)
		}
		return im, nil
	}
	return nil, nil
}

// look reads the file name in Dir. It returns nil, nil while the file is
// incomplete or was already refused as it is, and the bootrom's reason
// when it refuses it.
func (b *BOOTSEL) look(name string) (*uf2.Image, error) {
	path := filepath.Join(b.Dir, name)
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil // gone between ReadDir and Stat: nothing to take
	}
	stamp := fileStamp{st.Size(), st.ModTime()}
	b.mu.Lock()
	seen, ok := b.refused[name]
	b.mu.Unlock()
	if ok && seen == stamp {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil // being replaced; the next poll sees the new one
	}
	if len(data) == 0 || len(data)%uf2.BlockSize != 0 {
		return nil, nil
	}
	// The bootrom counts blocks against the total count of the blocks it
	// got; a file with fewer blocks than its first one announces is a copy
	// still in progress. A first block without the magics is a complete
	// file of garbage, left to Validate to name.
	first := data[:uf2.BlockSize]
	le := binary.LittleEndian
	if le.Uint32(first) == uf2.Magic0 && le.Uint32(first[4:]) == uf2.Magic1 {
		if total := le.Uint32(first[24:]); uint64(len(data)/uf2.BlockSize) < uint64(total) {
			return nil, nil
		}
	}
	im, err := uf2.Validate(data, b.rules())
	if err != nil {
		return nil, err
	}
	return im, nil
}

func (b *BOOTSEL) refuse(name string, reason error) {
	st, err := os.Stat(filepath.Join(b.Dir, name))
	b.mu.Lock()
	if b.refused == nil {
		b.refused = map[string]fileStamp{}
	}
	if err == nil {
		b.refused[name] = fileStamp{st.Size(), st.ModTime()}
	}
	b.refusals++
	b.last = fmt.Errorf("bootrom: ignored %s, staying in BOOTSEL: %w", name, reason)
	last := b.last
	b.mu.Unlock()
	if b.Logf != nil {
		b.Logf("%v", last)
	}
}

// write programs im into the flash, erasing each 4 KiB sector before
// the first page written into it, as the bootrom does.
func (b *BOOTSEL) write(im *uf2.Image) {
	r := b.rules()
	size := r.FlashSize
	if size == 0 {
		size = uf2.DefaultFlashSize
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.flash) != int(size) {
		b.flash = make([]byte, size)
		for i := range b.flash {
			b.flash[i] = 0xff
		}
	}
	erased := map[uint32]bool{}
	for _, c := range im.Chunks {
		off := c.Addr - r.FlashBase
		for s := off / sectorSize; s <= (off+uint32(len(c.Data))-1)/sectorSize; s++ {
			if !erased[s] {
				erased[s] = true
				sector := b.flash[s*sectorSize : min(int(s+1)*sectorSize, len(b.flash))]
				for i := range sector {
					sector[i] = 0xff
				}
			}
		}
		copy(b.flash[off:], c.Data)
	}
}

// Flash returns a copy of the flash as the accepted files left it, from
// Rules' flash base; it is erased (0xFF) where nothing was written, and
// nil before the first accepted file.
func (b *BOOTSEL) Flash() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte(nil), b.flash...)
}

// Refusals returns how many complete files the bootrom has ignored.
func (b *BOOTSEL) Refusals() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.refusals
}

// LastRefusal returns why the last ignored file was ignored, or nil.
func (b *BOOTSEL) LastRefusal() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}
