package esprom

import (
	"context"
	"fmt"
)

// The ESP32-C3's RTC watchdog and super watchdog registers (RTC_CNTL,
// base 0x60008000; ESP32-C3 Technical Reference Manual and esptool's
// ESP32-C3 target). Over the USB-Serial/JTAG these must be stopped before
// a long flash: the ROM loader does not feed them there, and a watchdog
// reset drops the USB port mid-write.
const (
	RTCWDTConfig0    = 0x60008090
	RTCWDTProtect    = 0x600080A8
	RTCWDTKey        = 0x50D83AA1
	RTCSWDConf       = 0x600080AC
	RTCSWDProtect    = 0x600080B0
	RTCSWDKey        = 0x8F1D312A
	RTCSWDAutoFeedEn = 1 << 31
)

// WriteReg writes value to the register at addr, under mask (0xFFFFFFFF
// for all bits), then has the ROM wait delayMicros.
func (l *Loader) WriteReg(ctx context.Context, addr, value, mask, delayMicros uint32) error {
	_, err := l.do(ctx, fmt.Sprintf("WRITE_REG 0x%08X", addr), WriteReg, words(addr, value, mask, delayMicros), 0, 0)
	return err
}

// DisableWatchdogs stops the RTC watchdog and has the super watchdog fed
// by hardware, as a flasher must over the USB-Serial/JTAG.
func (l *Loader) DisableWatchdogs(ctx context.Context) error {
	const all = 0xFFFFFFFF
	steps := []struct{ addr, value uint32 }{
		{RTCWDTProtect, RTCWDTKey}, {RTCWDTConfig0, 0}, {RTCWDTProtect, 0},
	}
	for _, s := range steps {
		if err := l.WriteReg(ctx, s.addr, s.value, all, 0); err != nil {
			return fmt.Errorf("esprom: disabling the RTC watchdog: %w", err)
		}
	}
	conf, err := l.ReadReg(ctx, RTCSWDConf)
	if err != nil {
		return fmt.Errorf("esprom: disabling the super watchdog: %w", err)
	}
	steps = []struct{ addr, value uint32 }{
		{RTCSWDProtect, RTCSWDKey}, {RTCSWDConf, conf | RTCSWDAutoFeedEn}, {RTCSWDProtect, 0},
	}
	for _, s := range steps {
		if err := l.WriteReg(ctx, s.addr, s.value, all, 0); err != nil {
			return fmt.Errorf("esprom: disabling the super watchdog: %w", err)
		}
	}
	return nil
}

// ChangeBaudRate asks the ROM to move its UART to baud. On success the
// caller moves the host's side of the line: the ROM answers at the old
// rate and listens at the new one from then on.
func (l *Loader) ChangeBaudRate(ctx context.Context, baud int) error {
	if baud <= 0 || baud > 1<<31 {
		return fmt.Errorf("esprom: CHANGE_BAUDRATE: %d baud is out of range", baud)
	}
	// The second word is the rate in use, 0 for the ROM (its stub takes
	// the old rate there).
	_, err := l.do(ctx, fmt.Sprintf("CHANGE_BAUDRATE %d", baud), ChangeBaudrate, words(uint32(baud), 0), 0, 0)
	return err
}
