package tlspsk

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

const key128 = "000102030405060708090a0b0c0d0e0f"

func TestParsePSKFile(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []PSK  // when err is ""
		err  string // substring of the error
	}{
		{"one", "board1:" + key128 + "\n", []PSK{{"board1", pskFileHex(key128)}}, ""},
		{"comments blanks spaces and CRLF",
			"# keys\n\n  board1:" + key128 + "  \r\n\t# more\r\nboard2:" + strings.ToUpper(key128) + key128,
			[]PSK{{"board1", pskFileHex(key128)}, {"board2", pskFileHex(key128 + key128)}}, ""},
		{"identity with spaces and symbols", "pico #7 (desk):" + key128, []PSK{{"pico #7 (desk)", pskFileHex(key128)}}, ""},
		{"no colon", "board1 " + key128, nil, "line 1: want identity:hexkey"},
		{"empty identity", "\n:" + key128, nil, "line 2: empty identity"},
		{"bad hex", "board1:" + key128[:30] + "zz", nil, `line 1: key of identity "board1" is not hex`},
		{"odd hex", "board1:" + key128 + "0", nil, `line 1: key of identity "board1" is not hex`},
		{"colon in key", "a:b:" + key128, nil, `key of identity "a" is not hex`},
		{"empty key", "board1:", nil, `key of identity "board1" has 0 bits, want at least 128`},
		{"short key", "board1:" + key128[:30], nil, `line 1: key of identity "board1" has 120 bits, want at least 128`},
		{"duplicate", "a:" + key128 + "\nb:" + key128 + "\na:" + key128, nil, `line 3: identity "a" already given on line 1`},
		{"empty file", "", nil, "no identities"},
		{"comments only", "# nobody\n\n", nil, "no identities"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePSKFile(strings.NewReader(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.err)
				}
				if !errors.Is(err, ErrPSKFile) {
					t.Errorf("err %v does not wrap ErrPSKFile", err)
				}
				if got != nil {
					t.Errorf("got %v with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d PSKs, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i].Identity != tt.want[i].Identity || !bytes.Equal(got[i].Key, tt.want[i].Key) {
					t.Errorf("PSK %d = %q:%x, want %q:%x", i, got[i].Identity, got[i].Key, tt.want[i].Identity, tt.want[i].Key)
				}
			}
		})
	}
}

func TestParsePSKFileLongLine(t *testing.T) {
	_, err := ParsePSKFile(strings.NewReader(strings.Repeat("x", 70000) + ":" + key128))
	if !errors.Is(err, ErrPSKFile) {
		t.Fatalf("err = %v, want one wrapping ErrPSKFile", err)
	}
}

func TestAppendPSKFileLineRoundTrip(t *testing.T) {
	in := []PSK{{"board1", pskFileHex(key128)}, {"b 2", pskFileHex(key128 + "ff")}}
	var file []byte
	for _, p := range in {
		file = AppendPSKFileLine(file, p)
	}
	got, err := ParsePSKFile(bytes.NewReader(file))
	if err != nil {
		t.Fatalf("%v in\n%s", err, file)
	}
	for i := range in {
		if got[i].Identity != in[i].Identity || !bytes.Equal(got[i].Key, in[i].Key) {
			t.Errorf("round trip %d: %q:%x, want %q:%x", i, got[i].Identity, got[i].Key, in[i].Identity, in[i].Key)
		}
	}
}

func ExampleParsePSKFile() {
	file := `# identity:hexkey, as in mosquitto's psk_file
pico-1:00112233445566778899aabbccddeeff
`
	psks, err := ParsePSKFile(strings.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := &Config{PSKs: psks}
	fmt.Println(cfg.PSKs[0].Identity, len(cfg.PSKs[0].Key)*8, "bits")

	_, err = ParsePSKFile(strings.NewReader("pico-1:0011\n"))
	fmt.Println(err)
	// Output:
	// pico-1 128 bits
	// tlspsk: bad PSK file: line 1: key of identity "pico-1" has 16 bits, want at least 128
}

func pskFileHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
