package client

import (
	"testing"
)

func TestWithoutDenied(t *testing.T) {
	topics := []string{"gato/a", "gatodenied/a", "gatodenied", "gatodeniedx"}
	if got := withoutDenied(topics, "gatodenied"); len(got) != 2 || got[0] != "gato/a" || got[1] != "gatodeniedx" {
		t.Errorf("withoutDenied = %q", got)
	}
	if got := withoutDenied(topics, ""); len(got) != 4 {
		t.Errorf("without a prefix: %q", got)
	}
}
