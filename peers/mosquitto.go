// Package peers starts independent MQTT brokers for the harness's own tests
// and for suites that want a peer beside their target: today mosquitto, on
// a free loopback port with fixtures/mosquitto.conf.
//
// Limits: it runs the mosquitto found on PATH (or $GATOMQTT_MOSQUITTO) and
// reports ErrNotInstalled when there is none, so callers skip rather than
// fail. Ports are chosen by asking the kernel for a free one, which another
// process could take before mosquitto binds it; Start retries on that.
package peers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatomqtt/gatomqtt/fixtures"
)

// ErrNotInstalled means the peer's program is not on this machine.
var ErrNotInstalled = errors.New("peers: not installed")

// User is a username and password the peer accepts.
type User struct {
	Name     string
	Password string
}

// MosquittoOptions change fixtures/mosquitto.conf for one run.
type MosquittoOptions struct {
	// Users, when not empty, go into a password file and anonymous
	// clients are refused.
	Users []User
	// Config lines appended to the configuration.
	Config []string
	// StartTimeout bounds the wait for the listener; 0 means 10s.
	StartTimeout time.Duration
	// ACL gives mosquitto fixtures/mosquitto.acl, so clients may subscribe
	// below fixtures.DeniedTopic but not publish there, and declares that
	// prefix in Target.
	ACL bool
	// Port is the loopback port to listen on; 0 picks a free one.
	Port int
}

// A Mosquitto is a running mosquitto process.
type Mosquitto struct {
	// Addr is the 127.0.0.1:port it listens on.
	Addr  string
	users []User
	acl   bool
	dir   string
	cmd   *exec.Cmd
	log   *syncBuffer
	done  chan struct{} // closed when the process has exited
	err   error         // the process's exit, valid after done
}

// MosquittoPath is the mosquitto binary to run: $GATOMQTT_MOSQUITTO, else
// mosquitto on PATH, else /usr/sbin/mosquitto (Debian's place, often not
// on a user's PATH).
func MosquittoPath() (string, error) {
	if p := os.Getenv("GATOMQTT_MOSQUITTO"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/mosquitto"); err == nil {
		return "/usr/sbin/mosquitto", nil
	}
	return "", fmt.Errorf("%w: mosquitto (apt-get install mosquitto, or set $GATOMQTT_MOSQUITTO)", ErrNotInstalled)
}

// anonymousLine is the line of mosquitto.conf that allows anonymous clients
// (not the comments that mention it).
var anonymousLine = regexp.MustCompile(`(?m)^allow_anonymous true$`)

// StartMosquitto starts mosquitto on a free 127.0.0.1 port and returns once
// it accepts TCP connections.
func StartMosquitto(opts MosquittoOptions) (*Mosquitto, error) {
	bin, err := MosquittoPath()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gatomqtt-mosquitto-")
	if err != nil {
		return nil, fmt.Errorf("peers: %w", err)
	}
	var lastErr error
	// A free port can be taken before mosquitto binds it: try others. A
	// port the caller chose is tried once.
	attempts := 3
	if opts.Port != 0 {
		attempts = 1
	}
	for attempt := 0; attempt < attempts; attempt++ {
		m, err := startMosquitto(bin, dir, opts)
		if err == nil {
			return m, nil
		}
		lastErr = err
	}
	os.RemoveAll(dir)
	return nil, lastErr
}

func startMosquitto(bin, dir string, opts MosquittoOptions) (*Mosquitto, error) {
	port := opts.Port
	if port == 0 {
		var err error
		if port, err = freePort(); err != nil {
			return nil, err
		}
	}
	conf := strings.ReplaceAll(fixtures.MosquittoConf(), "PORT", strconv.Itoa(port))
	if opts.ACL {
		// mosquitto started as root reads it after dropping to its own user.
		acl := filepath.Join(dir, "mosquitto.acl")
		if err := os.WriteFile(acl, []byte(fixtures.MosquittoACL()), 0o644); err != nil {
			return nil, fmt.Errorf("peers: %w", err)
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			return nil, fmt.Errorf("peers: %w", err)
		}
		conf += "acl_file " + acl + "\n"
	}
	if len(opts.Users) > 0 {
		pwfile, err := writePasswords(dir, opts.Users)
		if err != nil {
			return nil, err
		}
		conf = anonymousLine.ReplaceAllLiteralString(conf, "allow_anonymous false\npassword_file "+pwfile)
	}
	conf += "\n" + strings.Join(opts.Config, "\n") + "\n"
	confPath := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		return nil, fmt.Errorf("peers: %w", err)
	}
	m := &Mosquitto{
		Addr:  net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		users: opts.Users,
		acl:   opts.ACL,
		dir:   dir,
		log:   &syncBuffer{},
		done:  make(chan struct{}),
	}
	m.cmd = exec.Command(bin, "-c", confPath)
	m.cmd.Stdout, m.cmd.Stderr = m.log, m.log
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("peers: starting %s: %w", bin, err)
	}
	go func() {
		m.err = m.cmd.Wait()
		close(m.done)
	}()
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	if err := m.waitListening(timeout); err != nil {
		m.kill()
		return nil, err
	}
	return m, nil
}

// waitListening polls the port until it accepts a connection, the process
// exits, or the bound passes.
func (m *Mosquitto) waitListening(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var d net.Dialer
	for {
		dctx, dcancel := context.WithTimeout(ctx, time.Second)
		conn, err := d.DialContext(dctx, "tcp", m.Addr)
		dcancel()
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-m.done:
			return fmt.Errorf("peers: mosquitto exited before listening on %s (%v): %s", m.Addr, m.err, m.Log())
		case <-ctx.Done():
			return fmt.Errorf("peers: mosquitto not listening on %s after %s: %s", m.Addr, timeout, m.Log())
		case <-tick.C:
		}
	}
}

func writePasswords(dir string, users []User) (string, error) {
	bin := "mosquitto_passwd"
	if _, err := exec.LookPath(bin); err != nil {
		return "", fmt.Errorf("%w: mosquitto_passwd", ErrNotInstalled)
	}
	path := filepath.Join(dir, "passwd")
	for i, u := range users {
		args := []string{"-b", path, u.Name, u.Password}
		if i == 0 {
			args = append([]string{"-c"}, args...)
		}
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			return "", fmt.Errorf("peers: mosquitto_passwd for %q: %v: %s", u.Name, err, out)
		}
	}
	// mosquitto started as root drops to its own user before reading the
	// file; these are throwaway test credentials.
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", fmt.Errorf("peers: %w", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		return "", fmt.Errorf("peers: %w", err)
	}
	return path, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("peers: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Target is the harness target string for this mosquitto, with its
// credentials when it has users and its denied prefix when it has the ACL.
func (m *Mosquitto) Target() string {
	q := url.Values{"peer": {"mosquitto"}}
	if m.acl {
		q.Set("denied", fixtures.DeniedTopic)
	}
	if len(m.users) > 0 {
		q.Set("username", m.users[0].Name)
		q.Set("password", m.users[0].Password)
	}
	return "tcp://" + m.Addr + "?" + q.Encode()
}

// PID is the process id of mosquitto, for reading its memory use.
func (m *Mosquitto) PID() int { return m.cmd.Process.Pid }

// Log is what mosquitto wrote to stdout and stderr so far.
func (m *Mosquitto) Log() string { return strings.TrimSpace(m.log.String()) }

// Stop terminates mosquitto, waits for it to exit, and removes its files.
func (m *Mosquitto) Stop() error {
	defer os.RemoveAll(m.dir)
	select {
	case <-m.done:
		return fmt.Errorf("peers: mosquitto on %s had already exited (%v): %s", m.Addr, m.err, m.Log())
	default:
	}
	_ = m.cmd.Process.Signal(os.Interrupt)
	select {
	case <-m.done:
		return nil
	case <-time.After(5 * time.Second):
		m.kill()
		return fmt.Errorf("peers: mosquitto on %s ignored SIGINT for 5s; killed", m.Addr)
	}
}

func (m *Mosquitto) kill() {
	_ = m.cmd.Process.Kill()
	<-m.done
}

// syncBuffer is a bytes.Buffer safe for the process's writes and our reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
