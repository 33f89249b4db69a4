package broker_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsStayBoardFriendly keeps the packages that run on boards within
// what TinyGo builds well: no reflection-heavy encoders or templates, no
// processes or files, no fmt, and net only in the one file of tlspsk that
// adapts its Conn to net.Conn.
func TestImportsStayBoardFriendly(t *testing.T) {
	forbidden := map[string]bool{
		"fmt": true, "os": true, "os/exec": true, "net": true, "net/http": true,
		"reflect": true, "encoding/json": true, "encoding/xml": true,
		"encoding/gob": true, "text/template": true, "html/template": true,
	}
	tests := []struct {
		dir     string
		allowed map[string]string // import → the one file allowed to use it
	}{
		{".", nil},
		{"packet", nil},
		{"tlspsk", map[string]string{"net": "net.go"}},
	}
	for _, tt := range tests {
		files, err := filepath.Glob(filepath.Join(tt.dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", tt.dir, err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if forbidden[path] && tt.allowed[path] != filepath.Base(file) {
					t.Errorf("%s imports %q, which board builds must not need", file, path)
				}
			}
		}
	}
}
