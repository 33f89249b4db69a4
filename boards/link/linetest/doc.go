// Package linetest provides an in-memory serial line for testing code that
// runs over a UART: a full-duplex pipe whose two directions are paced at a
// baud rate and may corrupt, drop, duplicate and delay bytes.
//
// It is host-only test support: the line of package link's tests and
// benchmarks, where a net.Pipe would be too kind (instant, lossless,
// unbounded bandwidth) and real hardware too slow to set up.
//
// # Model
//
// Each direction is a UART transmitter, a wire and a receive buffer:
//
//   - Pacing. A byte takes 10 bit times (8N1) on the line, so Baud/10
//     bytes a second. Each direction keeps a virtual line clock: a Write of
//     n bytes occupies the line for n*10/Baud seconds from the moment the
//     line is free, and returns when its last byte has left. Deadlines are
//     computed from that clock, never by adding up sleeps, so timer
//     granularity does not turn into lost bandwidth (see below). Baud 0
//     means an unpaced line: Writes never sleep.
//   - Arrival. A byte is readable once its last bit has reached the far
//     end: its departure plus Faults.Delay. A large Write is carried in
//     chunks of 64 bytes, each readable at its own arrival time, so a
//     reader sees a long transfer progressively.
//   - Faults. Each byte sent is independently dropped, corrupted (XORed
//     with a random non-zero value) or duplicated with the configured
//     probabilities, at send time, from a random source seeded by
//     Faults.Seed: the same Config and the same Writes give the same
//     faults. The two directions have separate sources.
//   - Close. Closing either end cuts the wire: bytes that had arrived
//     can still be read on both ends, then Read returns io.EOF; bytes
//     still on the wire or not yet sent are lost; Write returns
//     io.ErrClosedPipe.
//
// # Limits
//
// The receive buffer is unbounded: no FIFO overrun is modelled, because
// what keeps a receiver from overrunning on the real line is the flow
// control above it (package link's credits), not the UART.
//
// A Write that sleeps wakes somewhat after its deadline (up to about a
// millisecond on Linux). The line does not count that lateness as idle
// time: the writer's next Write is scheduled as if it had woken on time,
// up to 4 ms earlier than the wall clock says. So a writer making many
// small Writes still gets the nominal rate, at the price that its bytes
// may become readable up to one such wake-up lateness earlier than wall-
// clock timing would allow; the first Write on an idle line, and every
// Write on an unpaced line, is exact.
//
// Each End is safe for one reader and one writer at a time; Close may be
// called from any goroutine and wakes blocked Reads and Writes.
package linetest
