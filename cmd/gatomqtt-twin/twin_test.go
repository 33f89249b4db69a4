//go:build linux

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/boards/firmware"
	"github.com/gatomqtt/gatomqtt/boards/link"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// TestTwinServesMQTT runs each board's twin and talks to it as the
// harness will: hello, then MQTT over a link stream.
func TestTwinServesMQTT(t *testing.T) {
	for _, p := range boards.Profiles {
		t.Run(p.Name, func(t *testing.T) {
			path := startTwin(t, "-board", p.Name)
			l, c := host(t, path, p)
			checkHello(t, c, p, "go twin")

			m := dialMQTT(t, l, "twin-test")
			m.send(packet.Pingreq{})
			if r, ok := m.recv().(*packet.Pingresp); !ok {
				t.Fatalf("PINGREQ answered with %+v, want PINGRESP", r)
			}

			st, err := c.Stats(patience)
			if err != nil {
				t.Fatal(err)
			}
			if st.Connections != 1 || st.HeapInUse == 0 || st.Mallocs == 0 {
				t.Errorf("stats = %+v, want 1 connection and the Go runtime's heap figures", st)
			}
		})
	}
}

// TestResetReboots asks the twin to reset: the host's link must see the
// board restart (a new epoch), its streams fail, and a new session work.
func TestResetReboots(t *testing.T) {
	p := &boards.Pico
	path := startTwin(t, "-board", p.Name)
	l, c := host(t, path, p)
	checkHello(t, c, p, "go twin")
	m := dialMQTT(t, l, "before")

	if err := c.Reset(firmware.Reboot); err != nil {
		t.Fatal(err)
	}
	if _, err := m.next(); !errors.Is(err, link.ErrPeerReset) {
		t.Fatalf("stream after the reset: %v, want link.ErrPeerReset", err)
	}
	if n := l.Stats().PeerResets; n != 1 {
		t.Errorf("host saw %d peer resets, want 1", n)
	}
	checkHello(t, c, p, "go twin")
	// The rebooted broker starts empty: the old connection is gone.
	m = dialMQTT(t, l, "after")
	st, err := c.Stats(patience)
	if err != nil {
		t.Fatal(err)
	}
	if st.Connections != 1 {
		t.Errorf("after the reboot %d connections, want 1", st.Connections)
	}
}

// TestFaultyLineExactlyOnce pushes QoS 1 messages from one stream to a
// subscriber on another over a line that drops and corrupts bytes both
// ways: the link's retransmissions must deliver each exactly once.
func TestFaultyLineExactlyOnce(t *testing.T) {
	for _, spec := range []string{
		"drop=0.001,corrupt=0.001,seed=7",
		"drop=0.001,corrupt=0.001,dup=0.0005,delay=0.001,delaymax=5ms,seed=42",
	} {
		t.Run(spec, func(t *testing.T) { exactlyOnce(t, spec) })
	}
}

func exactlyOnce(t *testing.T, faults string) {
	const n = 300
	p := &boards.ESP32C3 // the higher publish rate: 200/s
	path := startTwin(t, "-board", p.Name, "-faults", faults)
	l, c := host(t, path, p)

	sub := dialMQTT(t, l, "sub")
	sub.send(packet.NewSubscribe(1, packet.Filter{Topic: []byte("t"), QoS: 1}))
	if ack, ok := sub.recv().(*packet.Suback); !ok || len(ack.ReturnCodes) != 1 || ack.ReturnCodes[0] != 1 {
		t.Fatalf("SUBSCRIBE answered with %+v, want SUBACK granting QoS 1", ack)
	}
	pub := dialMQTT(t, l, "pub")

	// The subscriber acknowledges and counts each message; the last one
	// says that all before it have arrived, since one publisher's
	// messages reach a subscriber in order.
	counts := make(map[string]int)
	done := make(chan error, 1)
	go func() {
		for {
			r, err := sub.next()
			if err != nil {
				done <- err
				return
			}
			pp, ok := r.(*packet.Publish)
			if !ok {
				done <- fmt.Errorf("subscriber got %v, want PUBLISH", r.Type())
				return
			}
			if pp.Dup {
				done <- fmt.Errorf("message %q redelivered with DUP", pp.Payload)
				return
			}
			ack, _ := packet.Puback{PacketID: pp.PacketID}.Append(nil)
			if _, err := sub.s.Write(ack); err != nil {
				done <- err
				return
			}
			counts[string(pp.Payload)]++
			if string(pp.Payload) == "end" {
				done <- nil
				return
			}
		}
	}()

	for i := range n + 1 {
		payload := "m" + strconv.Itoa(i)
		if i == n {
			payload = "end"
		}
		id := uint16(i + 1)
		pub.send(packet.Publish{QoS: 1, Topic: []byte("t"), PacketID: id, Payload: []byte(payload)})
		if ack, ok := pub.recv().(*packet.Puback); !ok || ack.PacketID != id {
			t.Fatalf("PUBLISH %d answered with %+v, want PUBACK %d", id, ack, id)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(patience):
		t.Fatalf("the last message did not arrive in %v", patience)
	}
	for i := range n {
		if k := counts["m"+strconv.Itoa(i)]; k != 1 {
			t.Errorf("message %d arrived %d times", i, k)
		}
	}
	if len(counts) != n+1 {
		t.Errorf("%d distinct messages arrived, want %d", len(counts), n+1)
	}

	// The line did fault: frames were lost and sent again.
	hs := l.Stats()
	bs, err := c.Stats(patience)
	if err != nil {
		t.Fatal(err)
	}
	bad := hs.BadCRC + hs.Malformed + bs.LinkBadCRC + bs.LinkMalformed
	if bad == 0 || hs.Retransmits+bs.LinkRetransmits == 0 {
		t.Errorf("no faults seen: host %+v, board %+v", hs, bs)
	}
	t.Logf("%d bad frames, %d retransmissions (host %d, board %d)", bad,
		hs.Retransmits+bs.LinkRetransmits, hs.Retransmits, bs.LinkRetransmits)
}

// TestBinarySignal builds the command and runs it as the harness will:
// one line on stdout, served until SIGTERM, then exit 0.
func TestBinarySignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := filepath.Join(t.TempDir(), "gatomqtt-twin")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "-board", "pico")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			stderr := newOutput()
			cmd.Stderr = stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			rest := make(chan string, 1)
			first := make(chan string, 1)
			go func() {
				br := bufio.NewReader(stdout)
				line, err := br.ReadString('\n')
				if err != nil {
					line = "(no line: " + err.Error() + ")\n"
				}
				first <- line[:len(line)-1]
				more, _ := io.ReadAll(br)
				rest <- string(more)
				exited <- cmd.Wait() // after stdout is drained, as Wait requires
			}()
			defer func() {
				if cmd.ProcessState == nil {
					cmd.Process.Kill()
				}
			}()
			path := waitLine(t, first, "gatomqtt-twin")

			l, c := host(t, path, &boards.Pico)
			checkHello(t, c, &boards.Pico, "go twin")
			l.Close()

			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("after %v: %v; stderr: %s", sig, err, stderr)
				}
			case <-time.After(patience):
				t.Fatalf("still running %v after %v", patience, sig)
			}
			if more := <-rest; more != "" {
				t.Errorf("stdout after the path: %q", more)
			}
			if s := stderr.String(); s != "" {
				t.Errorf("stderr without -v: %q", s)
			}
		})
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-board", "nano"},
		{"-board", "pico", "-faults", "drop=2"},
		{"-board", "pico", "-faults", "jitter=1"},
		{"-board", "pico", "extra"},
	} {
		stdout, stderr := newOutput(), newOutput()
		if s := run(t.Context(), args, stdout, stderr); s != 2 {
			t.Errorf("run(%q) = %d, want 2", args, s)
		}
		if stdout.String() != "" || stderr.String() == "" {
			t.Errorf("run(%q): stdout %q, stderr %q; want the reason on stderr only", args, stdout, stderr)
		}
	}
}

// TestSecondHostSession closes the host's port and opens it again, as
// one harness run after another does: the twin's link sees a new peer
// epoch and serves the new session.
func TestSecondHostSession(t *testing.T) {
	p := &boards.Pico
	path := startTwin(t, "-board", p.Name)
	l, c := host(t, path, p)
	checkHello(t, c, p, "go twin")
	dialMQTT(t, l, "first")
	l.Close() // closes the port

	l, c = host(t, path, p)
	checkHello(t, c, p, "go twin")
	m := dialMQTT(t, l, "second")
	m.send(packet.Pingreq{})
	if r, ok := m.recv().(*packet.Pingresp); !ok {
		t.Fatalf("PINGREQ answered with %+v, want PINGRESP", r)
	}
}
