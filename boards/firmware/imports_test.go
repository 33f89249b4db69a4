package firmware

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBoardImagesLeaveTLSOut keeps broker/tlspsk, and the stream hook
// that serves it, out of the TinyGo images: its P-256 table alone would
// take 86 KiB of a Pico's RAM. Only the Go twin links them, through
// Options.Streams.
func TestBoardImagesLeaveTLSOut(t *testing.T) {
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command: ", err)
	}
	for _, b := range []struct{ tags, pkg string }{
		{"", "github.com/gatomqtt/gatomqtt/boards/firmware"},
		{"tinygo,rp2040", "github.com/gatomqtt/gatomqtt/boards/pico"},
		{"tinygo,esp32c3", "github.com/gatomqtt/gatomqtt/boards/esp32c3"},
	} {
		// -e: the machine and device packages exist only in TinyGo.
		out, err := exec.Command(gocmd, "list", "-e", "-deps", "-tags="+b.tags, b.pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", b.pkg, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 {
			t.Fatalf("go list -deps %s: %d packages; is the pattern right?", b.pkg, len(deps))
		}
		for _, d := range deps {
			if strings.HasPrefix(d, "github.com/gatomqtt/gatomqtt/broker/tlspsk") || strings.HasPrefix(d, "github.com/gatomqtt/gatomqtt/boards/firmware/pskstreams") {
				t.Errorf("%s links %s", b.pkg, d)
			}
		}
	}
}
