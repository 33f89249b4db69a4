package listen

import (
	"context"
	"time"
)

// WatchPauses makes Serve record its pauses after failed Accepts in
// *pauses instead of sleeping, until the returned function restores it.
func WatchPauses(pauses *[]time.Duration) (restore func()) {
	old := pause
	pause = func(ctx context.Context, d time.Duration) error {
		*pauses = append(*pauses, d)
		return ctx.Err()
	}
	return func() { pause = old }
}
