package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

// eventually polls cond, for at most ioWait, until it holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(ioWait)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%s: not within %v", what, ioWait)
		}
	}
}

// startReloading runs the daemon on a free port until the test ends,
// rereading its files on each send to reload, with standard error into
// stderr, and returns the line it printed at startup.
// testDefaults are the flags the in-process daemons of the tests start
// with before their own: a free port, and the host profile at 256
// sessions rather than sized from the machine's memory (TestSizeHost
// covers that), since daemons in one process share one heap, where each
// new broker's tables would be cleared page by page after the last one's
// were collected.
func testDefaults(args []string) []string {
	d := []string{"-listen", "127.0.0.1:0"}
	if !slices.Contains(args, "-profile") {
		d = append(d, "-max-sessions", "256")
	}
	return d
}

func startReloading(t *testing.T, reload <-chan os.Signal, stderr io.Writer, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- runReloading(ctx, append(testDefaults(args), args...), pw, stderr, reload)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != exitOK {
				t.Errorf("run exited %d after cancel, want 0", code)
			}
		case <-time.After(5 * time.Second):
			t.Error("run did not return within 5s of cancel")
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr)
	if err != nil {
		t.Fatalf("first line %q: %v", line, err)
	}
	return line
}

// rewrite replaces the content of the file at path.
func rewrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestReload: a reload puts new users, ACL and PSK identities in force
// for new connections and handshakes, keeps connections and sessions, and
// a bad file keeps the configuration in force and says why.
func TestReload(t *testing.T) {
	dir := t.TempDir()
	users, acl, psk := filepath.Join(dir, "users"), filepath.Join(dir, "acl"), filepath.Join(dir, "psk")
	rewrite(t, users, "alice:secret\n")
	rewrite(t, acl, "user alice\ntopic readwrite #\n")
	rewrite(t, psk, testIdentity+":"+testKeyHex+"\n")
	reload := make(chan os.Signal, 1)
	var stderr lockedBuffer
	line := startReloading(t, reload, &stderr, "-users", users, "-acl", acl, "-psk-listen", "127.0.0.1:0", "-psk-file", psk)
	m, p := listening.FindStringSubmatch(line), pskListening.FindStringSubmatch(line)
	if m == nil || p == nil {
		t.Fatalf("startup line %q", line)
	}
	addr, pskAddr := m[1], p[1]
	reloads := 0
	reloadAndWait := func(want string) {
		t.Helper()
		reloads++
		n := reloads
		reload <- syscall.SIGHUP
		eventually(t, "log line "+want, func() bool {
			// Each reload logs one line; the nth says what the nth did.
			lines := strings.Split(stderr.String(), "\n")
			var got []string
			for _, l := range lines {
				if strings.Contains(l, "reload") {
					got = append(got, l)
				}
			}
			if len(got) < n {
				return false
			}
			if !strings.Contains(got[n-1], want) {
				t.Fatalf("reload %d logged %q, want it to contain %q", n, got[n-1], want)
			}
			return true
		})
	}

	// A persistent session, offline at the reload, and a connection that
	// stays through it, both of alice.
	keep := dial(t, addr)
	mustConnect(t, keep, client.ConnectOptions{ClientID: "keep", Username: "alice", Password: "secret"})
	_, err := keep.Subscribe(1, 1, ioWait, "t/#")
	check(t, err)
	check(t, keep.Disconnect())
	live := dial(t, addr)
	mustConnect(t, live, client.ConnectOptions{ClientID: "live", CleanSession: true, Username: "alice", Password: "secret"})

	rewrite(t, users, "bob:hunter2\ncarol:x\n")
	rewrite(t, acl, "user bob\ntopic readwrite #\n")
	rewrite(t, psk, "board-2:"+otherKeyHex+"\n")
	reloadAndWait("reloaded: 2 users (was 1), ACL of 1 rules, 1 PSK identity")

	if code := connectCode(t, addr, "alice", "secret"); code != packet.RefusedBadUsernamePassword {
		t.Errorf("alice after the reload: CONNACK %d, want 4", code)
	}
	if code := connectCode(t, addr, "bob", "hunter2"); code != packet.Accepted {
		t.Errorf("bob after the reload: CONNACK %d, want 0", code)
	}
	back := dial(t, addr)
	ack, err := back.Connect(client.ConnectOptions{ClientID: "keep", Username: "bob", Password: "hunter2"}, ioWait)
	check(t, err)
	if ack.ReturnCode != packet.Accepted || !ack.SessionPresent {
		t.Errorf("resuming keep: CONNACK %d, session present %v; want 0, true", ack.ReturnCode, ack.SessionPresent)
	}
	check(t, live.Send(packet.Pingreq{}))
	if err := live.ExpectPingresp(ioWait); err != nil {
		t.Errorf("connection of before the reload: %v", err)
	}
	key := func(id, hexKey string) *tlspsk.Config {
		return &tlspsk.Config{PSK: tlspsk.PSK{Identity: id, Key: mustHex(t, hexKey)}}
	}
	if _, err := dialPSK(t, pskAddr, key(testIdentity, testKeyHex)); err == nil {
		t.Error("handshake with the identity the reload removed succeeded")
	}
	if _, err := dialPSK(t, pskAddr, key("board-2", otherKeyHex)); err != nil {
		t.Errorf("handshake with the identity the reload added: %v", err)
	}

	// Bad files: the configuration in force stays, and the log says
	// which file and why.
	rewrite(t, users, "bob\n")
	reloadAndWait("reload refused, keeping the configuration in force: users file " + users + ": line 1: want name:password")
	rewrite(t, users, "bob:hunter2\ndave:d\n")
	rewrite(t, acl, "user erin\ntopic read #\n")
	reloadAndWait("reload refused, keeping the configuration in force: acl file " + acl)
	if code := connectCode(t, addr, "bob", "hunter2"); code != packet.Accepted {
		t.Errorf("bob after refused reloads: CONNACK %d, want 0", code)
	}
	if code := connectCode(t, addr, "dave", "d"); code != packet.RefusedBadUsernamePassword {
		t.Errorf("dave of a refused reload: CONNACK %d, want 4", code)
	}
}
