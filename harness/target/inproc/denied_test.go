package inproc

import (
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
)

func TestDenyWritesBelow(t *testing.T) {
	authz := denyWritesBelow("gatodenied")
	tests := []struct {
		topic       string
		write, want bool
	}{
		{"gatodenied/r/1/2/x", true, false},
		{"gatodenied", true, false},
		{"gatodenied/r/1/2/x", false, true},
		{"gatodenied/#", false, true},
		{"#", false, true},
		{"gatodeniedx/y", true, true},
		{"gato/r/1/2/x", true, true},
		{"x/gatodenied", true, true},
		{"gatodenie", true, true},
	}
	for _, tt := range tests {
		for _, user := range [][]byte{nil, []byte(User.Name)} {
			if got := authz(user, []byte(tt.topic), tt.write); got != tt.want {
				t.Errorf("authorize(%q, %q, write %v) = %v, want %v", user, tt.topic, tt.write, got, tt.want)
			}
		}
	}
	var _ broker.Authorizer = authz
}
