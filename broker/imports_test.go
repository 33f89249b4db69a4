package broker_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// firmwareBuilds are what board firmware links, as go list patterns with
// the build tags of their build: each board's TinyGo entry point (whose
// machine and device packages only TinyGo has; go list -e lists the rest
// of its dependencies anyway), and the library packages boards must be
// able to link even where no firmware does yet (tlspsk). Append new
// firmware here.
var firmwareBuilds = []struct{ tags, pattern string }{
	{"", "github.com/gatomqtt/gatomqtt/broker"},
	{"", "github.com/gatomqtt/gatomqtt/broker/packet"},
	{"", "github.com/gatomqtt/gatomqtt/broker/tlspsk"},
	{"tinygo,rp2040", "github.com/gatomqtt/gatomqtt/boards/pico"},
	{"tinygo,esp32c3", "github.com/gatomqtt/gatomqtt/boards/esp32c3"},
}

// boardForbidden reports whether a board build must not need path:
// formatting and reflection (fmt, reflect and the encoders and templates
// built on reflect), the operating system (os and below) and the network
// stack (net and below). TinyGo compiles some of them, but they cost
// flash and RAM a board does not have, and net and os have nothing
// behind them there.
func boardForbidden(path string) bool {
	switch path {
	case "fmt", "reflect", "os", "net",
		"encoding/json", "encoding/xml", "encoding/gob",
		"text/template", "html/template":
		return true
	}
	return strings.HasPrefix(path, "os/") || strings.HasPrefix(path, "net/")
}

// importEdge is one import: From imports To.
type importEdge struct{ From, To string }

// boardAllowed are the imports of forbidden packages that board builds
// accept, each with the reason. Only the edge into a forbidden package is
// judged: once fmt is admitted through one of these, what fmt itself
// imports (os, reflect) comes with it. The project's own packages have no
// entry, on purpose. A new Go release that adds such an import to the
// standard library fails the test until the edge is checked with TinyGo
// and listed here.
var boardAllowed = map[importEdge]string{
	// Checked with go list -deps under Go 1.24.11 (TinyGo 0.37's GOROOT)
	// and Go 1.26; TinyGo 0.37 builds tlspsk with all of them for
	// -target=pico and -target=esp32c3.
	{"encoding/hex", "fmt"}:                       "hex.InvalidByteError formats with fmt; tlspsk parses PSK files with hex",
	{"math/big", "fmt"}:                           "big.Int implements fmt.Formatter; crypto/rand and encoding/asn1 use math/big",
	{"encoding/asn1", "fmt"}:                      "error messages; asn1 is reached only through cryptobyte",
	{"encoding/asn1", "reflect"}:                  "asn1 marshals by reflection; what the linker keeps of it is measured in tlspsk's doc",
	{"encoding/binary", "reflect"}:                "binary.Read and Write of structs; the firmware (pion's CCM, boards/link) uses only the byte-order functions",
	{"internal/fmtsort", "reflect"}:               "sorts map keys for fmt, which alone imports it",
	{"crypto/internal/sysrand", "os"}:             "opens /dev/urandom where getrandom is missing; TinyGo builds it with its own os and replaces crypto/rand on boards",
	{"golang.org/x/crypto/cryptobyte", "fmt"}:     "the Builder's length-prefix overflow error and ASN.1 builders; tlspsk encodes and parses handshake messages with cryptobyte, as crypto/tls does",
	{"golang.org/x/crypto/cryptobyte", "reflect"}: "ReadASN1Integer and ReadOptionalASN1Integer set integers of any size by reflection; tlspsk calls neither",
}

// listedPackage is what the check needs of one package of go list -json.
type listedPackage struct {
	ImportPath string
	DepOnly    bool // a dependency, not named by the patterns
	Imports    []string
}

// goListDeps runs go list -e -deps with build tags on patterns.
func goListDeps(t *testing.T, tags string, patterns ...string) []listedPackage {
	t.Helper()
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command: ", err)
	}
	args := append([]string{"list", "-e", "-deps", "-tags=" + tags, "-json=ImportPath,DepOnly,Imports"}, patterns...)
	cmd := exec.Command(gocmd, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	var pkgs []listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
}

// boardViolations returns every import in pkgs, a go list -deps listing,
// that brings in a package board builds must not need and boardAllowed
// does not excuse, each with the chain of imports from a listed package.
func boardViolations(pkgs []listedPackage) []string {
	var bad []string
	for _, p := range pkgs {
		if boardForbidden(p.ImportPath) {
			continue // judged where it is imported
		}
		for _, imp := range p.Imports {
			if boardForbidden(imp) && boardAllowed[importEdge{p.ImportPath, imp}] == "" {
				bad = append(bad, strings.Join(append(importChain(pkgs, p.ImportPath), imp), " → "))
			}
		}
	}
	return bad
}

// importChain returns the shortest chain of imports from a package the
// patterns named to target, both included.
func importChain(pkgs []listedPackage, target string) []string {
	byPath := make(map[string]listedPackage, len(pkgs))
	prev := map[string]string{}
	var queue []string
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
		if !p.DepOnly {
			prev[p.ImportPath] = ""
			queue = append(queue, p.ImportPath)
		}
	}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		for _, imp := range byPath[path].Imports {
			if _, seen := prev[imp]; !seen {
				prev[imp] = path
				queue = append(queue, imp)
			}
		}
	}
	chain := []string{target}
	for p := prev[target]; p != ""; p = prev[p] {
		chain = append(chain, p)
	}
	slices.Reverse(chain)
	return chain
}

// TestBoardDependencies keeps what the firmware packages import, directly
// or through any dependency, within what board builds afford.
func TestBoardDependencies(t *testing.T) {
	for _, b := range firmwareBuilds {
		t.Run(b.pattern, func(t *testing.T) {
			pkgs := goListDeps(t, b.tags, b.pattern)
			if len(pkgs) < 2 {
				t.Fatalf("go list found %d packages; is the pattern right?", len(pkgs))
			}
			for _, v := range boardViolations(pkgs) {
				t.Errorf("%s: board builds must not need it", v)
			}
		})
	}
}

// TestBoardViolations holds the rule to cases it must reject and accept.
func TestBoardViolations(t *testing.T) {
	const own = "github.com/gatomqtt/gatomqtt/broker"
	tests := []struct {
		name string
		pkgs []listedPackage
		want []string
	}{
		{"own package imports fmt", []listedPackage{
			{ImportPath: own, Imports: []string{"errors", "fmt"}},
			{ImportPath: "errors", DepOnly: true},
			{ImportPath: "fmt", DepOnly: true, Imports: []string{"os", "reflect"}},
		}, []string{own + " → fmt"}},
		{"fmt through log, which is not excused", []listedPackage{
			{ImportPath: own, Imports: []string{"log"}},
			{ImportPath: "log", DepOnly: true, Imports: []string{"fmt", "os"}},
			{ImportPath: "fmt", DepOnly: true},
			{ImportPath: "os", DepOnly: true},
		}, []string{own + " → log → fmt", own + " → log → os"}},
		{"fmt through encoding/hex, which is", []listedPackage{
			{ImportPath: own, Imports: []string{"encoding/hex"}},
			{ImportPath: "encoding/hex", DepOnly: true, Imports: []string{"fmt"}},
			{ImportPath: "fmt", DepOnly: true, Imports: []string{"os", "reflect"}},
		}, nil},
		{"a dependency imports net/netip", []listedPackage{
			{ImportPath: own, Imports: []string{"example.com/dep"}},
			{ImportPath: "example.com/dep", DepOnly: true, Imports: []string{"net/netip"}},
		}, []string{own + " → example.com/dep → net/netip"}},
		{"encoders and reflect", []listedPackage{
			{ImportPath: own, Imports: []string{"encoding/json", "reflect", "os/exec", "text/template"}},
		}, []string{own + " → encoding/json", own + " → reflect", own + " → os/exec", own + " → text/template"}},
		{"an excused edge excuses only its importer", []listedPackage{
			{ImportPath: own, Imports: []string{"encoding/binary"}},
			{ImportPath: "encoding/binary", DepOnly: true, Imports: []string{"reflect", "fmt"}},
		}, []string{own + " → encoding/binary → fmt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := boardViolations(tt.pkgs); !slices.Equal(got, tt.want) {
				t.Errorf("violations %q, want %q", got, tt.want)
			}
		})
	}
	for e := range boardAllowed {
		if strings.HasPrefix(e.From, "github.com/gatomqtt/") {
			t.Errorf("%s → %s: the project's own imports are never excused", e.From, e.To)
		}
	}
}

// TestBoardCheckRejectsHarness runs the check on a real package that
// imports fmt, os and net, so that a go list that lists nothing, or a
// rule that admits everything, cannot pass unnoticed.
func TestBoardCheckRejectsHarness(t *testing.T) {
	const client = "github.com/gatomqtt/gatomqtt/harness/client"
	got := boardViolations(goListDeps(t, "", client))
	for _, want := range []string{"fmt", "os", "net"} {
		if !slices.Contains(got, client+" → "+want) {
			t.Errorf("harness/client importing %s is not reported; reported: %q", want, got)
		}
	}
}
