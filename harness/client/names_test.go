package client

import (
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := ClientID("hint-with/odd chars and a long tail")
		if len(id) > 23 || !isAlnum(id) {
			t.Fatalf("ClientID %q is not 1-23 letters and digits", id)
		}
		tp := Topic("x")
		if seen[id] || seen[tp] {
			t.Fatalf("duplicate name %q or %q", id, tp)
		}
		seen[id], seen[tp] = true, true
		if !strings.HasPrefix(tp, "gato/"+RunID+"/") || !strings.HasSuffix(tp, "/x") {
			t.Fatalf("Topic = %q", tp)
		}
	}
	if !strings.HasSuffix(ClientID("ab"), "ab") {
		t.Error("short hint not kept")
	}
}
