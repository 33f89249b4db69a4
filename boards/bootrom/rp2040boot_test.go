package bootrom

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/boards/firmware"
)

// withBoot2 returns flash whose boot2 carries a valid CRC, followed by
// rest.
func withBoot2(rest []byte) []byte {
	f := make([]byte, boot2Size, boot2Size+len(rest))
	copy(f, "boot2 code")
	SealBoot2(f)
	return append(f, rest...)
}

func TestBootRP2040(t *testing.T) {
	stamp, err := firmware.BuildStamp("pico-123")
	if err != nil {
		t.Fatal(err)
	}
	b, err := BootRP2040(withBoot2([]byte("app " + stamp)))
	if err != nil || b.BuildID != "pico-123" {
		t.Fatalf("BootRP2040 = %+v, %v; want build id pico-123", b, err)
	}
	bad := withBoot2(nil)
	bad[3] ^= 1
	for name, f := range map[string][]byte{
		"erased":    bytes.Repeat([]byte{0xFF}, 4096),
		"bad boot2": bad,
		"short":     make([]byte, 100),
	} {
		if _, err := BootRP2040(f); err == nil {
			t.Errorf("%s: booted", name)
		} else if !strings.Contains(err.Error(), "boot2") {
			t.Errorf("%s: %v does not name boot2", name, err)
		}
	}
}

// The bootrom's CRC: the check value of CRC-32/MPEG-2 over "123456789".
func TestBoot2CRCCheckValue(t *testing.T) {
	if got := boot2CRC([]byte("123456789")); got != 0x0376E6E7 {
		t.Errorf("boot2CRC(123456789) = %#08x, want 0x0376e6e7", got)
	}
}
