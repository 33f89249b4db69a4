package linetest_test

import (
	"fmt"
	"io"
	"time"

	"github.com/gatomqtt/gatomqtt/boards/link/linetest"
)

// A line at 115200 baud that corrupts one byte in a hundred: the board end
// writes 2000 bytes, which take 2000*10/115200 s, about 0.17 s, on the
// line; the host end reads them all, and the board's Stats say what the
// line did to them. The same Seed gives the same faults on every run.
func Example() {
	host, board := linetest.Pipe(linetest.Config{
		Baud:   115200,
		Faults: linetest.Faults{Corrupt: 0.01, Seed: 1},
	})
	sent := make([]byte, 2000)
	// The clock starts before the writer can: the line's promise is on
	// the time from the first byte written.
	start := time.Now()
	go func() {
		board.Write(sent)
		board.Close() // every byte written has arrived: host reads them all, then EOF
	}()

	got, err := io.ReadAll(host)
	elapsed := time.Since(start)

	changed := 0
	for i := range got {
		if got[i] != sent[i] {
			changed++
		}
	}
	st := board.Stats()
	fmt.Println(len(got), "bytes,", err)
	fmt.Println("changed on the way:", changed, "of", st.Written, "- Stats says", st.Corrupted)
	fmt.Println("took at least 2000*10/115200 s:", elapsed >= 2000*10*time.Second/115200)
	// Output:
	// 2000 bytes, <nil>
	// changed on the way: 17 of 2000 - Stats says 17
	// took at least 2000*10/115200 s: true
}
