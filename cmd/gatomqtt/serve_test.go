package main

import (
	"io"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/listen"
)

func TestServeFlag(t *testing.T) {
	tests := []struct {
		args []string
		want listen.Model
		ok   bool
	}{
		{nil, listen.Epoll, true},
		{[]string{"-serve", "epoll"}, listen.Epoll, true},
		{[]string{"-serve", "poller"}, listen.RuntimePoller, true},
		{[]string{"-serve", "goroutines"}, listen.Goroutines, true},
		{[]string{"-serve", "threads"}, 0, false},
	}
	for _, tc := range tests {
		o, err := parseFlags(tc.args, io.Discard)
		if (err == nil) != tc.ok || tc.ok && o.serve != tc.want {
			t.Errorf("%q: serve %v, err %v; want %v, ok %v", tc.args, o.serve, err, tc.want, tc.ok)
		}
	}
}
