package firmware

import (
	"bytes"
	"testing"
)

func TestBuildStamp(t *testing.T) {
	for _, id := range []string{"63af2e4c1d2e", "v1.2.0+dirty", "a", string(bytes.Repeat([]byte{'x'}, 64))} {
		s, err := BuildStamp(id)
		if err != nil {
			t.Fatalf("BuildStamp(%q): %v", id, err)
		}
		if got := StampedID(s); got != id {
			t.Errorf("StampedID(BuildStamp(%q)) = %q", id, got)
		}
		// In an image the stamp sits among other strings, unterminated.
		image := append(append([]byte("\x00\x01junkgatomqtt-build-id:"), s...), "devtinygo"...)
		if got, ok := FindBuildID(image); !ok || got != id {
			t.Errorf("FindBuildID with stamp %q = %q, %v", s, got, ok)
		}
	}
	for _, id := range []string{"", "a b", "a;b", "é", string(bytes.Repeat([]byte{'x'}, 65))} {
		if _, err := BuildStamp(id); err == nil {
			t.Errorf("BuildStamp(%q) accepted", id)
		}
	}
}

func TestStampedIDOfPlainID(t *testing.T) {
	for _, s := range []string{"", "abc", "gatomqtt-build-id:abc"} {
		if got := StampedID(s); got != s {
			t.Errorf("StampedID(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestFindBuildIDRefusesNonStamps(t *testing.T) {
	for name, image := range map[string][]byte{
		"none":          []byte("firmware without a stamp"),
		"unterminated":  []byte("xxgatomqtt-build-id:abc"),
		"empty id":      []byte("gatomqtt-build-id:;"),
		"bad character": []byte("gatomqtt-build-id:ab cd;"),
		"too long":      append(append([]byte("gatomqtt-build-id:"), bytes.Repeat([]byte{'x'}, 65)...), ';'),
	} {
		if id, ok := FindBuildID(image); ok {
			t.Errorf("%s: FindBuildID = %q, want none", name, id)
		}
	}
}
