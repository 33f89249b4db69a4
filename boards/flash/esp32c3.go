package flash

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/flash/espimage"
	"github.com/gatomqtt/gatomqtt/boards/flash/esprom"
)

// ESP32C3Options tune ESP32C3.
type ESP32C3Options struct {
	// Offset is where the image goes in flash; TinyGo's .bin starts at 0.
	Offset uint32
	// FlashSize is the board's flash, for SPI_SET_PARAMS; 0 means 4 MiB.
	FlashSize uint32
	// Uncompressed sends the image as it is instead of zlib-compressed.
	Uncompressed bool
	// Progress, when set, gets the image bytes written and the image size.
	Progress func(done, total int)
	// Loader tunes the ROM loader's timeouts; nil means its defaults.
	Loader *esprom.Options
	// USBSerialJTAG is set when the port is the chip's own USB-Serial/JTAG
	// (303A:1001): the watchdogs are stopped before the flash, since the
	// ROM loader does not feed them there.
	USBSerialJTAG bool
	// Baud, when above 0, moves the line to that rate after the chip is
	// identified (CHANGE_BAUDRATE), through SetBaud, which moves the
	// host's side of the port.
	Baud    int
	SetBaud func(baud int) error
}

// Result says what ESP32C3 wrote.
type Result struct {
	Image espimage.Info
	Chip  espimage.Chip
	MD5   string // of the image as the ROM read it back, in hex
	// Sent is the image's bytes as sent (compressed unless asked not to),
	// and Write the time from FLASH_BEGIN to the last block's answer:
	// Image.Size / Write is the effective rate.
	Sent  int
	Write time.Duration
}

// ESP32C3 writes image to the ESP32-C3 whose ROM loader answers on port,
// then has the ROM read it back and compares MD5s. It refuses, before
// writing anything, an image that espimage.Check refuses for the ESP32-C3
// and a port whose chip reports another id. It leaves the ROM in its
// loader: reset the board to run the image.
func ESP32C3(ctx context.Context, port io.ReadWriter, image []byte, o ESP32C3Options) (Result, error) {
	var r Result
	info, err := espimage.Check(image, espimage.ESP32C3)
	if err != nil {
		return r, fmt.Errorf("flash: refusing the image: %w", err)
	}
	r.Image = info
	l := esprom.NewLoader(port, o.Loader)
	defer l.Close()
	if err := l.Sync(ctx); err != nil {
		return r, fmt.Errorf("flash: is the board in its ROM loader? %w", err)
	}
	id, err := l.ChipID(ctx)
	if err != nil {
		return r, fmt.Errorf("flash: %w", err)
	}
	r.Chip = espimage.Chip(id)
	if r.Chip != espimage.ESP32C3 {
		return r, fmt.Errorf("flash: the port's chip is %v (chip id %d), the image is for %v: nothing written", r.Chip, id, espimage.ESP32C3)
	}
	if o.USBSerialJTAG {
		if err := l.DisableWatchdogs(ctx); err != nil {
			return r, fmt.Errorf("flash: %w", err)
		}
	}
	if o.Baud > 0 {
		if err := changeBaud(ctx, l, o); err != nil {
			return r, err
		}
	}
	if err := l.Attach(ctx); err != nil {
		return r, fmt.Errorf("flash: %w", err)
	}
	size := o.FlashSize
	if size == 0 {
		size = 4 << 20
	}
	if err := l.SetParams(ctx, esprom.DefaultFlashParams(size)); err != nil {
		return r, fmt.Errorf("flash: %w", err)
	}
	r.Sent = len(image)
	if !o.Uncompressed {
		r.Sent = len(esprom.Deflate(image))
	}
	start := time.Now()
	if err := l.Flash(ctx, o.Offset, image, !o.Uncompressed, o.Progress); err != nil {
		return r, fmt.Errorf("flash: %w", err)
	}
	r.Write = time.Since(start)
	got, err := l.MD5(ctx, o.Offset, uint32(len(image)))
	if err != nil {
		return r, fmt.Errorf("flash: verifying: %w", err)
	}
	r.MD5 = hex.EncodeToString(got[:])
	if want := md5.Sum(image); got != want {
		return r, fmt.Errorf("flash: verifying: the flash reads back with MD5 %s, the image has %s", r.MD5, hex.EncodeToString(want[:]))
	}
	return r, nil
}

// changeBaud moves the ROM and then the host to o.Baud, and checks that
// the ROM answers at the new rate.
func changeBaud(ctx context.Context, l *esprom.Loader, o ESP32C3Options) error {
	if o.SetBaud == nil {
		return fmt.Errorf("flash: %d baud asked for, but the port cannot change its rate", o.Baud)
	}
	if err := l.ChangeBaudRate(ctx, o.Baud); err != nil {
		return fmt.Errorf("flash: %w", err)
	}
	if err := o.SetBaud(o.Baud); err != nil {
		return fmt.Errorf("flash: the ROM moved to %d baud but the port did not: %w", o.Baud, err)
	}
	if err := l.Sync(ctx); err != nil {
		return fmt.Errorf("flash: no answer at %d baud (a USB-UART bridge that cannot take the rate?): %w", o.Baud, err)
	}
	return nil
}
