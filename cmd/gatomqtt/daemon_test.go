package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// These tests build the command and run it as a child process, to test
// what only main does: signals and the process's standard streams.

// buildDaemon builds the command into a temporary directory and returns
// the path of the binary.
func buildDaemon(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the daemon with")
	}
	bin := filepath.Join(t.TempDir(), "gatomqtt")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// daemon is a child process running the command.
type daemon struct {
	cmd  *exec.Cmd
	addr string
	out  *bufio.Reader // standard output after the first line
	exit chan error    // the result of Wait, once it exits
}

// startDaemon starts bin with args on a free port of 127.0.0.1, standard
// error going to stderr, and waits for the line saying where it
// listens. The process is stopped, by its pid, when the test ends.
func startDaemon(t *testing.T, bin string, stderr io.Writer, args ...string) *daemon {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-listen", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &daemon{cmd: cmd, out: bufio.NewReader(out), exit: make(chan error, 1)}
	go func() { d.exit <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-d.exit
	})
	line, err := d.out.ReadString('\n')
	m := listening.FindStringSubmatch(line)
	if err != nil || m == nil {
		t.Fatalf("first line %q (err %v) does not say where it listens", line, err)
	}
	d.addr = m[1]
	go io.Copy(io.Discard, d.out)
	return d
}

// stop sends SIGTERM and returns how the process ended.
func (d *daemon) stop(t *testing.T) error {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.exit:
		d.exit <- err // for the cleanup
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("daemon still running 10s after SIGTERM")
		return nil
	}
}

// endAbnormally opens a connection to addr that sends a packet of the
// reserved type 15, which the broker logs as a protocol error, and
// waits for the broker to close it.
func endAbnormally(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, ioWait)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(ioWait))
	if _, err := c.Write([]byte{0xf0, 0}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, c); err != nil {
		t.Fatalf("broker did not close the connection: %v", err)
	}
}

// TestClosedStderrDoesNotKill: with -v and standard error a pipe nobody
// reads any more, the log lines of failed connections fail with EPIPE
// instead of ending the daemon with SIGPIPE.
func TestClosedStderrDoesNotKill(t *testing.T) {
	bin := buildDaemon(t)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pr.Close()
	d := startDaemon(t, bin, pw, "-v")
	pw.Close()
	for range 3 {
		endAbnormally(t, d.addr)
		if code := connectCode(t, d.addr, "", ""); code != packet.Accepted {
			t.Fatalf("CONNACK %d after a log line to a closed pipe", code)
		}
	}
	if err := d.stop(t); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("daemon ended with %v (%v), want exit 0 on SIGTERM", err, ee.ProcessState)
		}
		t.Fatal(err)
	}
}

// TestSIGHUPReloads: SIGHUP, sent by pid as logrotate does, no longer
// ends the daemon: it rereads the users file, logs it, and keeps serving
// the sessions it holds.
func TestSIGHUPReloads(t *testing.T) {
	bin := buildDaemon(t)
	users := filepath.Join(t.TempDir(), "users")
	rewrite(t, users, "alice:secret\n")
	var stderr lockedBuffer
	d := startDaemon(t, bin, &stderr, "-users", users)
	keep := dial(t, d.addr)
	mustConnect(t, keep, client.ConnectOptions{ClientID: "keep", Username: "alice", Password: "secret"})
	check(t, keep.Disconnect())

	rewrite(t, users, "alice:secret\nbob:hunter2\n")
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually(t, "reload logged", func() bool {
		select {
		case err := <-d.exit:
			d.exit <- err // for the cleanup
			t.Fatalf("daemon ended on SIGHUP: %v; stderr %q", err, stderr.String())
		default:
		}
		return strings.Contains(stderr.String(), "gatomqtt: reloaded: 2 users (was 1)")
	})
	back := dial(t, d.addr)
	ack, err := back.Connect(client.ConnectOptions{ClientID: "keep", Username: "bob", Password: "hunter2"}, ioWait)
	check(t, err)
	if ack.ReturnCode != packet.Accepted || !ack.SessionPresent {
		t.Errorf("after SIGHUP: CONNACK %d, session present %v; want 0, true", ack.ReturnCode, ack.SessionPresent)
	}
	if err := d.stop(t); err != nil {
		t.Errorf("daemon ended with %v on SIGTERM, want exit 0", err)
	}
}
