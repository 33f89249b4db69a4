package broker

import (
	"errors"
	"io"
	"testing"
)

func TestBecause(t *testing.T) {
	tests := []struct {
		reason error
		detail string
		cause  error
		msg    string
	}{
		{ErrProtocol, "second CONNECT", nil, "broker: protocol violation: second CONNECT"},
		{ErrLimit, "", io.ErrUnexpectedEOF, "broker: packet beyond the broker's limits: unexpected EOF"},
		{ErrRefused, "CONNACK 1", io.EOF, "broker: connection refused: CONNACK 1: EOF"},
		{nil, "broker: write", io.ErrClosedPipe, "broker: write: io: read/write on closed pipe"},
	}
	for _, tt := range tests {
		err := because(tt.reason, tt.detail, tt.cause)
		if err.Error() != tt.msg {
			t.Errorf("message %q, want %q", err, tt.msg)
		}
		for _, want := range []error{tt.reason, tt.cause} {
			if want != nil && !errors.Is(err, want) {
				t.Errorf("%q does not match %v", err, want)
			}
		}
		if errors.Is(err, ErrClosed) {
			t.Errorf("%q matches an error it does not wrap", err)
		}
	}
}
