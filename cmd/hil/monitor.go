package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/discover"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/boards/link"
)

// listPorts enumerates the USB serial ports; tests replace it.
var listPorts = discover.List

// runMonitor is "hil monitor": the host's end of a board's link, as the
// harness runs it, printing what the firmware says on its control stream.
func runMonitor(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hil monitor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	portName := fs.String("port", "", "serial `device` or rfc2217://host:port of the board")
	board := fs.String("board", "auto", "the board: pico, esp32c3, or auto (the one the local port's USB identity suggests)")
	baud := fs.Int("baud", 0, "line `rate`; 0 means the board's default")
	every := fs.Duration("stats", 0, "also print the board's statistics every `interval` (0: never)")
	helloWait := fs.Duration("hello", 10*time.Second, "how long to wait for the firmware's hello")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: hil monitor -port <device|rfc2217://host:port> [-board pico|esp32c3|auto] [-baud n] [-stats interval]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	switch {
	case fs.NArg() != 0:
		fs.Usage()
		return exitUsage
	case *portName == "":
		fmt.Fprintln(stderr, "hil monitor: -port is required (a serial device or rfc2217://host:port)")
		return exitUsage
	case *baud < 0 || *every < 0 || *helloWait <= 0:
		fmt.Fprintln(stderr, "hil monitor: -baud and -stats must not be negative, and -hello must be positive")
		return exitUsage
	}
	p, err := monitorBoard(*portName, *board)
	if err != nil {
		fmt.Fprintf(stderr, "hil monitor: %v\n", err)
		var usage *usageError
		if errors.As(err, &usage) {
			return exitUsage
		}
		return exitFail
	}
	if *baud == 0 {
		*baud = p.Baud
	}
	out := &stampWriter{w: stdout, now: time.Now}
	// The port opens with DTR and RTS asserted, as the harness opens it:
	// neither an ESP32-C3 (either reset circuit) nor a Pico resets on
	// that, and no 1200-baud touch is made.
	line, err := openPort(ctx, *portName, *baud)
	if err != nil {
		fmt.Fprintf(stderr, "hil monitor: %v\n", err)
		return exitFail
	}
	seen := &tap{rwc: line}
	cfg := p.Link
	cfg.Epoch = epoch()
	l, err := link.New(seen, cfg)
	if err != nil {
		line.Close()
		fmt.Fprintf(stderr, "hil monitor: starting the link on %s: %v\n", *portName, err)
		return exitFail
	}
	defer func() {
		l.Close()
		line.Close()
	}()
	ctl := firmware.NewClient(l.Control(), func(s string) { out.printf("%s", s) })
	hctx, cancel := context.WithTimeout(ctx, *helloWait)
	h, err := hello(hctx, ctl)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return exitOK // interrupted while waiting
		}
		fmt.Fprintf(stderr, "hil monitor: %s: %v%s\n", *portName, err, seen.describe())
		return exitFail
	}
	if h.Board != p.Name {
		fmt.Fprintf(stderr, "hil monitor: warning: the firmware says it runs on board %q, not %q; the link may misbehave (give -board %s)\n", h.Board, p.Name, h.Board)
	}
	out.printf("hello: board %s, chip %s, version %s, build %s, platform %s", h.Board, h.Chip, orDash(h.Version), orDash(h.BuildID), orDash(h.Platform))
	var tick <-chan time.Time
	if *every > 0 {
		t := time.NewTicker(*every)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return exitOK
		case <-l.Done():
			// The port went away (unplugged, a farm's connection dropped):
			// say so rather than watch a dead line.
			fmt.Fprintf(stderr, "hil monitor: the link on %s ended: %v\n", *portName, l.Err())
			return exitFail
		case <-tick:
			s, err := ctl.Stats(*every + time.Second)
			if err != nil {
				out.printf("stats: %v", err)
				continue
			}
			out.printf("stats: %s", formatStats(s))
		}
	}
}

// A usageError is a mistake in the command line, not in the board.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// monitorBoard finds the profile of the board on port: the one named, or
// for auto the one the local port's USB identity suggests.
func monitorBoard(port, board string) (*boards.Profile, error) {
	if board != "auto" {
		p, ok := boards.Lookup(board)
		if !ok {
			return nil, &usageError{fmt.Sprintf("unknown -board %q: want pico, esp32c3 or auto", board)}
		}
		return p, nil
	}
	if strings.HasPrefix(port, "rfc2217://") {
		return nil, &usageError{"-board auto reads a local port's USB identity, which an RFC 2217 port does not show: give -board pico or -board esp32c3"}
	}
	ports, err := listPorts()
	if err != nil {
		return nil, fmt.Errorf("-board auto: %w; give -board pico or -board esp32c3", err)
	}
	for _, dp := range ports {
		if dp.Path != port {
			continue
		}
		p, ok := boards.Lookup(dp.Board())
		if !ok {
			return nil, fmt.Errorf("-board auto: cannot tell the board on %s from its USB identity %s (%s): give -board pico or -board esp32c3", port, dp.VIDPID(), dp.Kind)
		}
		return p, nil
	}
	return nil, fmt.Errorf("-board auto: %s is not among the USB serial ports (see hil boards): give -board pico or -board esp32c3", port)
}

// hello asks for the firmware's hello until ctx ends, as the harness
// does: the first requests wait for the link to come up, and a booting
// board answers none.
func hello(ctx context.Context, ctl *firmware.Client) (firmware.Hello, error) {
	h, err := ctl.HelloWithin(ctx)
	switch {
	case ctx.Err() != nil && errors.Is(err, firmware.ErrNoAnswer):
		return h, errors.New("no hello from the firmware (is it running, on this port, at this baud rate, built for this board?)")
	case err != nil:
		return h, fmt.Errorf("reading the firmware's hello: %w", err)
	}
	return h, nil
}

// formatStats is one line of a board's statistics.
func formatStats(s firmware.Stats) string {
	return fmt.Sprintf("uptime %s, heap %d of %d bytes, %d mallocs, %d frees, connections %d, sessions %d, retained %d, messages %d in %d out %d dropped, link: %d retransmits, %d bad CRC, %d peer resets, %d logs dropped",
		time.Duration(s.UptimeMillis)*time.Millisecond, s.HeapInUse, s.HeapSys, s.Mallocs, s.Frees,
		s.Connections, s.Sessions, s.Retained, s.MessagesIn, s.MessagesOut, s.Dropped,
		s.LinkRetransmits, s.LinkBadCRC, s.LinkPeerResets, s.LogsDropped)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// stampWriter prints lines with the time they were printed, one at a
// time: log lines come from the control stream's reader, statistics from
// the monitor's loop.
type stampWriter struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

func (s *stampWriter) printf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.w, "%s %s\n", s.now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

// tapLen is how much of what the line carried a tap keeps.
const tapLen = 256

// A tap keeps the first bytes read from a line, so that a monitor that
// gets no hello can say what was on the line instead: a ROM's boot
// messages, another program's text, or nothing.
type tap struct {
	rwc io.ReadWriteCloser
	mu  sync.Mutex
	n   int // bytes read in all
	buf []byte
}

func (t *tap) Read(b []byte) (int, error) {
	n, err := t.rwc.Read(b)
	t.mu.Lock()
	t.n += n
	if k := min(n, tapLen-len(t.buf)); k > 0 {
		t.buf = append(t.buf, b[:k]...)
	}
	t.mu.Unlock()
	return n, err
}

func (t *tap) Write(b []byte) (int, error) { return t.rwc.Write(b) }
func (t *tap) Close() error                { return t.rwc.Close() }

// describe says what the line carried, for an error message.
func (t *tap) describe() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		return "; the line carried nothing at all"
	}
	return fmt.Sprintf("; the line carried %d bytes, starting %s", t.n, strconv.QuoteToASCII(string(t.buf)))
}

// epoch draws the host's run name for the link, never 0.
func epoch() uint32 {
	var b [4]byte
	for {
		_, _ = rand.Read(b[:])
		if e := binary.LittleEndian.Uint32(b[:]); e != 0 {
			return e
		}
	}
}
