package harness

import (
	"flag"
	"testing"

	"github.com/gatomqtt/gatomqtt/harness/target"
)

func TestTargetNamePrecedence(t *testing.T) {
	RegisterFlags()
	t.Setenv(EnvTarget, "")
	if got := TargetName(); got != target.DefaultTarget {
		t.Errorf("TargetName with nothing set = %q, want %q", got, target.DefaultTarget)
	}
	t.Setenv(EnvTarget, "tcp://env:1")
	if got := TargetName(); got != "tcp://env:1" {
		t.Errorf("TargetName with $%s = %q", EnvTarget, got)
	}
	if err := flag.Set("target", "inproc:pico"); err != nil {
		t.Fatal(err)
	}
	defer flag.Set("target", "")
	if got := TargetName(); got != "inproc:pico" {
		t.Errorf("TargetName with --target and $%s = %q, want the flag", EnvTarget, got)
	}
}
