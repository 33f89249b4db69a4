package flash

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/flash/uf2"
)

// Defaults of PicoOptions.
const (
	// DefaultDriveTimeout bounds the wait for the RPI-RP2 drive after the
	// touch: the board resets and the host mounts the drive in about 3 s.
	DefaultDriveTimeout = 10 * time.Second
	// DefaultBackTimeout bounds the wait for the firmware's port after
	// the copy: the bootrom writes the flash, reboots, and the firmware
	// brings up USB again.
	DefaultBackTimeout = 15 * time.Second
)

// PicoFile is the name the UF2 file is given on the drive; the bootrom
// takes any name.
const PicoFile = "FIRMWARE.UF2"

// PicoPort is how the Pico's USB CDC port is reached: a local serial
// device (PicoSerial) or a board farm's RFC 2217 port (PicoRFC2217).
type PicoPort interface {
	// Touch resets the running firmware into the bootrom: open the port
	// at 1200 baud, drop DTR, close.
	Touch(ctx context.Context) error
	// Back waits until the firmware's port is there again after the
	// bootrom rebooted, and returns the name to open it by, which may
	// differ from the one before (USB re-enumeration).
	Back(ctx context.Context) (string, error)
}

// PicoOptions tune Pico.
type PicoOptions struct {
	// Drives are the folders where the RPI-RP2 drive may be mounted.
	// Empty means where systems mount it: /media/$USER/RPI-RP2,
	// /run/media/$USER/RPI-RP2, /media/RPI-RP2, /mnt/RPI-RP2,
	// /Volumes/RPI-RP2 and every mount point in /proc/self/mounts named
	// RPI-RP2.
	Drives []string
	// DriveTimeout bounds the wait for the drive; zero means
	// DefaultDriveTimeout.
	DriveTimeout time.Duration
	// BackTimeout bounds the wait for the port after the copy; zero means
	// DefaultBackTimeout.
	BackTimeout time.Duration
	// Progress, when set, gets the UF2 bytes written and the file size.
	Progress func(done, total int)
	// Poll is how often the drive folders are looked at; zero means
	// 50 ms.
	Poll time.Duration
}

// PicoResult says what Pico did.
type PicoResult struct {
	Kind    string     // what the image was: "UF2", "ELF" or "binary"
	Image   *uf2.Image // the flash contents the UF2 file writes
	Blocks  int        // UF2 blocks written
	Bytes   int        // bytes of the UF2 file
	Touched bool       // false when the drive was there before, and the touch skipped
	Drive   string     // folder of the RPI-RP2 drive written to
	Port    string     // the port the firmware came back on; "" without a PicoPort

	DriveWait time.Duration // from the touch to the drive being there
	Copy      time.Duration // writing the file, fsync included
	BackWait  time.Duration // from the end of the copy to the port being back
}

// Pico flashes image to a Raspberry Pi Pico through its RP2040 bootrom's
// RPI-RP2 drive, as TinyGo's flash command does: it touches port at 1200
// baud so the firmware resets into the bootrom, waits for the drive,
// copies the UF2 file onto it, and waits for the firmware's port to come
// back.
//
// image is a UF2 file, an ELF file (its loadable segments) or a raw
// binary for the start of flash; it is turned into UF2 and checked as the
// bootrom checks it (uf2.Validate with uf2.RP2040) before the board is
// touched, so an image for another chip is refused with the reason.
//
// If the drive is there already (the board is in BOOTSEL) the touch is
// skipped. port may be nil when the board is put into BOOTSEL by hand;
// Pico then does not wait for a port afterwards.
func Pico(ctx context.Context, port PicoPort, image []byte, o PicoOptions) (PicoResult, error) {
	var r PicoResult
	file, kind, err := PicoUF2(image)
	r.Kind = kind
	if err != nil {
		return r, fmt.Errorf("flash: refusing the image: %w", err)
	}
	im, err := uf2.Validate(file, uf2.RP2040)
	if err != nil {
		return r, fmt.Errorf("flash: refusing the %s image, the RP2040 bootrom would ignore it: %w", kind, err)
	}
	r.Image, r.Blocks = im, im.Blocks

	start := time.Now()
	drive, err := findDrive(ctx, o, 0)
	if err != nil {
		if port == nil {
			return r, fmt.Errorf("flash: %w; with no port to touch, put the board in BOOTSEL by hand (hold BOOTSEL while plugging it in)", err)
		}
		if err := port.Touch(ctx); err != nil {
			return r, fmt.Errorf("flash: the 1200-baud touch: %w: is the firmware running with USB CDC, on this port?", err)
		}
		r.Touched = true
		start = time.Now()
		if drive, err = findDrive(ctx, o, timeout(o.DriveTimeout, DefaultDriveTimeout)); err != nil {
			return r, fmt.Errorf("flash: after the 1200-baud touch: %w: is the board in BOOTSEL? If its firmware has no USB CDC, hold BOOTSEL while plugging it in; if the drive is mounted elsewhere, name it", err)
		}
	}
	r.Drive, r.DriveWait = drive, time.Since(start)

	start = time.Now()
	if err := copyUF2(drive, file, o.Progress); err != nil {
		return r, fmt.Errorf("flash: copying to the drive %s: %w", drive, err)
	}
	r.Bytes, r.Copy = len(file), time.Since(start)

	if port == nil {
		return r, nil
	}
	start = time.Now()
	bctx, cancel := context.WithTimeout(ctx, timeout(o.BackTimeout, DefaultBackTimeout))
	defer cancel()
	name, err := port.Back(bctx)
	if err != nil {
		return r, fmt.Errorf("flash: copied %d blocks to %s, but the firmware's port did not come back: %w: did the image start? Is it built with USB CDC?", r.Blocks, drive, err)
	}
	r.Port, r.BackWait = name, time.Since(start)
	return r, nil
}

func timeout(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// PicoUF2 returns the UF2 file for image and what image was: a UF2 file
// as it is ("UF2"), the loadable segments of an ELF file ("ELF"), or a
// raw binary placed at the start of flash ("binary"), for the RP2040
// family. It does not validate the result; Pico does.
func PicoUF2(image []byte) (file []byte, kind string, err error) {
	switch {
	case len(image) >= 8 && binary.LittleEndian.Uint32(image) == uf2.Magic0 && binary.LittleEndian.Uint32(image[4:]) == uf2.Magic1:
		return image, "UF2", nil
	case bytes.HasPrefix(image, []byte("\x7fELF")):
		file, err := uf2.FromELF(image, uf2.RP2040)
		return file, "ELF", err
	case len(image) > 0 && image[0] == 0xe9:
		return nil, "binary", fmt.Errorf("the image starts with 0xE9, an ESP application image, not one for the RP2040")
	}
	file, err = uf2.Encode(image, uf2.RP2040FlashBase, uf2.FamilyRP2040)
	return file, "binary", err
}

// copyUF2 writes file to the drive in pieces of 64 blocks, reporting
// progress, then syncs it so that every block reaches the bootrom.
func copyUF2(drive string, file []byte, progress func(done, total int)) error {
	path := filepath.Join(drive, PicoFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	const piece = 64 * uf2.BlockSize
	for done := 0; done < len(file); {
		n := min(piece, len(file)-done)
		if _, err := f.Write(file[done : done+n]); err != nil {
			f.Close()
			return fmt.Errorf("after %d of %d bytes: %w", done, len(file), err)
		}
		done += n
		if progress != nil {
			progress(done, len(file))
		}
	}
	// The bootrom reboots once it has the last block, so the drive may
	// vanish under the sync and close: that is success, not a failure.
	err = errors.Join(f.Sync(), f.Close())
	if err != nil && !isBootrom(drive) {
		return nil
	}
	return err
}
