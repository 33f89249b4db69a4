// Package firmware is the board firmware's core in ordinary Go: a broker
// with a board profile's limits serving every stream of a serial link,
// and the control stream's messages (hello, statistics, log lines, reset).
// The TinyGo entry points in boards/pico and boards/esp32c3 bind a serial
// port, an LED and the reset hooks and call Start; the Go twins of the
// boards run exactly this code on the host. Client is the host's side of
// the control stream.
//
// Nothing here allocates per message or per frame: the broker and the
// link fix their memory when Start builds them, and control messages are
// encoded into one buffer. Starting a broker connection starts two
// goroutines, whose stacks TinyGo allocates on the heap.
package firmware
