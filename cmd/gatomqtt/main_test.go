package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

func TestParseUsers(t *testing.T) {
	tests := []struct {
		name, in string
		want     int    // users parsed
		err      string // substring of the error
	}{
		{"two users", "alice:secret\nbob:pa:ss\n", 2, ""},
		{"comments and blanks", "# users\n\nalice:secret\r\n", 1, ""},
		{"no colon", "alice\n", 0, "line 1: want name:password"},
		{"empty name", ":secret\n", 0, "line 1: empty user name"},
		{"empty password", "alice:\n", 0, `user "alice" has an empty password`},
		{"duplicate", "alice:a\nbob:b\nalice:c\n", 0, `line 3: user "alice" already given on line 1`},
		{"empty file", "# nobody\n", 0, "no users in file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			users, err := parseUsers(strings.NewReader(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.err)
				}
				return
			}
			if err != nil || len(users) != tt.want {
				t.Fatalf("got %d users, err %v; want %d", len(users), err, tt.want)
			}
		})
	}
	users, _ := parseUsers(strings.NewReader("bob:pa:ss\n"))
	if users[0].Name != "bob" || users[0].Password != "pa:ss" {
		t.Errorf("password with a colon parsed as %+v", users[0])
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-profile", "pico", "-max-sessions", "4", "-max-keepalive", "120"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.limits.MaxSessions != 4 || o.limits.MaxKeepAlive != 120 {
		t.Errorf("given flags not applied: %+v", o.limits)
	}
	if o.limits.MaxRetained != 16 || o.limits.PublishRate != 100 {
		t.Errorf("pico profile values lost: %+v", o.limits)
	}

	bad := []struct {
		args []string
		err  string
	}{
		{[]string{"-profile", "esp8266"}, `unknown -profile "esp8266"`},
		{[]string{"-max-queued", "-1"}, "-max-queued must not be negative"},
		{[]string{"-min-keepalive", "70000"}, "-min-keepalive must be at most 65535"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-no-such-flag"}, "flag provided but not defined"},
	}
	for _, tt := range bad {
		_, err := parseFlags(tt.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("parseFlags(%q) err = %v, want %q", tt.args, err, tt.err)
		}
	}
}

func TestRunRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	badUsers := filepath.Join(dir, "users.txt")
	if err := os.WriteFile(badUsers, []byte("alice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pskFile := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	goodPSK := pskFile("good.psk", "board:"+testKeyHex+"\n")
	withPSK := func(file string) []string {
		return []string{"-listen", "127.0.0.1:0", "-psk-listen", "127.0.0.1:0", "-psk-file", file}
	}
	free := "127.0.0.1:0"
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"bad flag", []string{"-listen"}, "flag needs an argument"},
		{"missing users file", []string{"-listen", free, "-users", filepath.Join(dir, "none")}, "users file"},
		{"bad users file", []string{"-listen", free, "-users", badUsers}, "line 1: want name:password"},
		{"bad limits", []string{"-listen", free, "-max-sessions", "0"}, "MaxSessions"},
		{"bad address", []string{"-listen", "127.0.0.1:notaport"}, "notaport"},
		{"psk listener without file", []string{"-listen", free, "-psk-listen", free}, "-psk-listen and -psk-file go together"},
		{"psk file without listener", []string{"-listen", free, "-psk-file", goodPSK}, "-psk-listen and -psk-file go together"},
		{"psk_ke without listener", []string{"-listen", free, "-psk-allow-no-dhe"}, "-psk-allow-no-dhe needs -psk-listen"},
		{"reveal without listener", []string{"-listen", free, "-psk-reveal-unknown-identity"}, "-psk-reveal-unknown-identity needs -psk-listen"},
		{"missing psk file", withPSK(filepath.Join(dir, "none.psk")), "psk file"},
		{"psk file without colon", withPSK(pskFile("colon.psk", "board "+testKeyHex)), "line 1: want identity:hexkey"},
		{"psk file with bad hex", withPSK(pskFile("hex.psk", "board:"+testKeyHex[:30]+"xy")), `key of identity "board" is not hex`},
		{"psk file with short key", withPSK(pskFile("short.psk", "board:0011223344556677")), "has 64 bits, want at least 128"},
		{"psk file with duplicate", withPSK(pskFile("dup.psk", "a:"+testKeyHex+"\na:"+testKeyHex)), `line 2: identity "a" already given on line 1`},
		{"empty psk file", withPSK(pskFile("empty.psk", "# none yet\n")), "no identities"},
		{"bad psk address", []string{"-listen", free, "-psk-listen", "127.0.0.1:notaport", "-psk-file", goodPSK}, "-psk-listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr strings.Builder
			if code := run(t.Context(), tt.args, io.Discard, &stderr); code != exitUsage {
				t.Errorf("exit code %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr.String(), tt.msg) {
				t.Errorf("stderr %q does not mention %q", stderr.String(), tt.msg)
			}
		})
	}
}

var listening = regexp.MustCompile(`^gatomqtt: MQTT on (\S+) \(`)

// start runs the daemon until the test ends and returns its address.
func start(t *testing.T, args ...string) string {
	t.Helper()
	line := startLine(t, args...)
	m := listening.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first line %q does not say where it listens", line)
	}
	return m[1]
}

// startLine runs the daemon on a free port until the test ends and returns
// the line it printed at startup.
func startLine(t *testing.T, args ...string) string {
	t.Helper()
	return startReloading(t, nil, io.Discard, args...)
}

func TestRunAnonymousWithoutUsersFile(t *testing.T) {
	addr := start(t)
	if code := connectCode(t, addr, "", ""); code != packet.Accepted {
		t.Errorf("anonymous CONNECT got CONNACK %d, want 0", code)
	}
}

func TestRunUsersFile(t *testing.T) {
	users := filepath.Join(t.TempDir(), "users.txt")
	os.WriteFile(users, []byte("alice:secret\nbob:hunter2\n"), 0o600)
	addr := start(t, "-users", users)
	tests := []struct {
		user, password string
		want           packet.ConnackCode
	}{
		{"bob", "hunter2", packet.Accepted},
		{"alice", "secret", packet.Accepted},
		{"alice", "hunter2", packet.RefusedBadUsernamePassword},
		{"mallory", "secret", packet.RefusedBadUsernamePassword},
	}
	for _, tt := range tests {
		if got := connectCode(t, addr, tt.user, tt.password); got != tt.want {
			t.Errorf("%s/%s: CONNACK %d, want %d", tt.user, tt.password, got, tt.want)
		}
	}
	if got := connectCode(t, addr, "", ""); got == packet.Accepted {
		t.Error("anonymous CONNECT accepted although a users file is given")
	}
}

// TestSignalShutsDown runs this test binary as the daemon and stops it with
// SIGTERM, as a service manager would.
func TestSignalShutsDown(t *testing.T) {
	if os.Getenv("GATOMQTT_CMD_CHILD") == "1" {
		os.Exit(runUntilSignal([]string{"-listen", "127.0.0.1:0"}))
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSignalShutsDown$")
	cmd.Env = append(os.Environ(), "GATOMQTT_CMD_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	m := listening.FindStringSubmatch(line)
	if err != nil || m == nil {
		t.Fatalf("first line %q (err %v) does not say where it listens", line, err)
	}
	if code := connectCode(t, m[1], "", ""); code != packet.Accepted {
		t.Fatalf("CONNACK %d before the signal", code)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("daemon exited with %v after SIGTERM, want exit 0", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("daemon still running 10s after SIGTERM")
	}
}
