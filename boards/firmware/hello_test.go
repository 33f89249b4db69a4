package firmware

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
)

// silent is a control stream on which nothing ever answers.
type silent struct{ closed chan struct{} }

func (s silent) Read([]byte) (int, error)    { <-s.closed; return 0, io.EOF }
func (s silent) Write(p []byte) (int, error) { return len(p), nil }

func TestHelloWithin(t *testing.T) {
	t.Run("a board answers", func(t *testing.T) {
		core, host := board(t, &boards.Pico, Options{BuildID: "b1"})
		h, err := NewClient(host.Control(), nil).HelloWithin(t.Context())
		if err != nil || h != core.Hello() {
			t.Fatalf("hello %+v, %v; want %+v", h, err, core.Hello())
		}
	})
	t.Run("nothing answers", func(t *testing.T) {
		s := silent{make(chan struct{})}
		defer close(s.closed)
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		_, err := NewClient(s, nil).HelloWithin(ctx)
		if !errors.Is(err, ErrNoAnswer) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v, want ErrNoAnswer and the deadline", err)
		}
	})
}
