// Package linefault wraps a serial line (any io.ReadWriter) so that it
// drops, corrupts, duplicates and delays bytes, in both directions, at
// given rates: the faults a real UART or USB link shows now and then,
// made frequent enough to test the link protocol against on a line that
// is otherwise perfect (a pty, a pipe). cmd/gatomqtt-twin takes its
// -faults option in the syntax Parse reads.
//
// Faults are drawn from a PCG source per direction seeded by
// Config.Seed, one decision per byte in the order the bytes pass, so the
// same seed and the same bytes give the same faults at the same
// positions however the bytes are split into Reads and Writes. When a
// delayed byte is finally delivered depends on the clock, so with
// delays the interleaving of late bytes with later ones is not replayed
// exactly; which bytes were delayed, and for how long, is.
//
// # Limits
//
// A delayed byte is held in memory and delivered by one timer per
// direction (no goroutine per byte): on the write side the timer writes
// it to the wrapped line, on the read side it hands it to the next Read.
// Reading starts one goroutine, which reads the wrapped line ahead of the
// caller by up to 64 KiB, so that held bytes come out on time while the
// wrapped Read is blocked; it ends when the wrapped Read fails, which
// Close brings about only when the wrapped line is an io.Closer.
// Corruption flips one bit; burst errors, framing errors and breaks are
// not modelled, nor is pacing at a baud rate.
package linefault
