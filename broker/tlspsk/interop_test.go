package tlspsk

import (
	"bufio"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Interop tests against OpenSSL's s_server and s_client. They skip when
// openssl is not installed. Every wait is bounded by interopLimit and ends
// on a line of OpenSSL's output, a connection or a handshake, never on a
// sleep.

const interopLimit = 15 * time.Second

func requireOpenSSL(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed; interop with OpenSSL not tested")
	}
}

// opensslProc is a running openssl command whose output is read line by
// line. Its stdin stays open until close, because s_server and s_client
// stop at end of input.
type opensslProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	exited chan struct{}

	mu  sync.Mutex
	log []string
}

func startOpenSSL(t *testing.T, args ...string) *opensslProc {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting openssl: %v", err)
	}
	p := &opensslProc{t: t, cmd: cmd, stdin: stdin, lines: make(chan string, 4096), exited: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.log = append(p.log, sc.Text())
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default: // nobody waits for this much output; the log keeps it
			}
		}
	}()
	go func() {
		cmd.Wait()
		pw.Close()
		close(p.exited)
	}()
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		<-p.exited
	})
	return p
}

func (p *opensslProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.log, "\n")
}

// waitFor returns the first line from now on that contains substr.
func (p *opensslProc) waitFor(substr string) string {
	p.t.Helper()
	timeout := time.After(interopLimit)
	for {
		select {
		case line := <-p.lines:
			if strings.Contains(line, substr) {
				return line
			}
		case <-p.exited:
			// Drain what was printed before exiting.
			for {
				select {
				case line := <-p.lines:
					if strings.Contains(line, substr) {
						return line
					}
				default:
					p.t.Fatalf("openssl exited before printing %q; output:\n%s", substr, p.output())
				}
			}
		case <-timeout:
			p.t.Fatalf("openssl did not print %q within %v; output:\n%s", substr, interopLimit, p.output())
		}
	}
}

func (p *opensslProc) send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		p.t.Fatalf("writing to openssl: %v", err)
	}
}

func (p *opensslProc) waitExit() {
	p.t.Helper()
	select {
	case <-p.exited:
	case <-time.After(interopLimit):
		p.t.Fatalf("openssl did not exit; output:\n%s", p.output())
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

var interopKeyHex = hex.EncodeToString(testKey)

const interopIdentity = "board-7"

// startSServer starts s_server with the test PSK and extra arguments and
// waits until it accepts.
func startSServer(t *testing.T, extra ...string) (*opensslProc, string) {
	t.Helper()
	port := freePort(t)
	args := []string{"s_server", "-accept", "127.0.0.1:" + port, "-tls1_3", "-nocert",
		"-psk", interopKeyHex, "-psk_identity", interopIdentity, "-naccept", "1"}
	p := startOpenSSL(t, append(args, extra...)...)
	p.waitFor("ACCEPT")
	return p, "127.0.0.1:" + port
}

func dialClient(t *testing.T, addr string, cfg *Config) (*Conn, error) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, interopLimit)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(interopLimit))
	c := ClientOver(nc, cfg)
	t.Cleanup(func() { c.Close() })
	return c, c.Handshake()
}

// readLine reads up to and including the next newline.
func readLine(t *testing.T, c *Conn) string {
	t.Helper()
	var line []byte
	buf := make([]byte, 1)
	for {
		if _, err := c.Read(buf); err != nil {
			t.Fatalf("reading a line after %q: %v", line, err)
		}
		if buf[0] == '\n' {
			return string(line)
		}
		line = append(line, buf[0])
	}
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

func longLine(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(strconv.Itoa(i))
		b.WriteByte('-')
	}
	return b.String()[:n]
}

// TestInteropClientWithSServer: this client against s_server -rev, which
// echoes each line reversed and issues session tickets the client skips.
func TestInteropClientWithSServer(t *testing.T) {
	requireOpenSSL(t)
	allCCM := "TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"
	tests := []struct {
		name       string
		serverArgs []string
		edit       func(*Config)
		mode       KeyExchangeMode
		group      Group
		suite      CipherSuite
		hrr        bool
		mfl        int
		line       string
	}{
		{"psk_dhe_ke x25519", nil, func(c *Config) { c.Groups = []Group{X25519} },
			KeyExchangePSKDHE, X25519, TLS_AES_128_GCM_SHA256, false, 0, "hello"},
		{"psk_dhe_ke p256", nil, func(c *Config) { c.Groups = []Group{P256} },
			KeyExchangePSKDHE, P256, TLS_AES_128_GCM_SHA256, false, 0, "hello"},
		{"hello retry to p256", []string{"-groups", "P-256"}, func(c *Config) { c.Groups = []Group{X25519, P256} },
			KeyExchangePSKDHE, P256, TLS_AES_128_GCM_SHA256, true, 0, "retried"},
		{"psk_ke", []string{"-allow_no_dhe_kex"}, func(c *Config) { c.KeyExchangeModes = []KeyExchangeMode{KeyExchangePSK} },
			KeyExchangePSK, 0, TLS_AES_128_GCM_SHA256, false, 0, "no dhe"},
		{"ccm", []string{"-ciphersuites", allCCM}, func(c *Config) { c.CipherSuites = []CipherSuite{TLS_AES_128_CCM_SHA256} },
			KeyExchangePSKDHE, X25519, TLS_AES_128_CCM_SHA256, false, 0, "ccm"},
		{"ccm_8", []string{"-ciphersuites", allCCM}, func(c *Config) { c.CipherSuites = []CipherSuite{TLS_AES_128_CCM_8_SHA256} },
			KeyExchangePSKDHE, X25519, TLS_AES_128_CCM_8_SHA256, false, 0, "ccm 8"},
		{"ccm_8 psk_ke", []string{"-ciphersuites", allCCM, "-allow_no_dhe_kex"}, func(c *Config) {
			c.CipherSuites = []CipherSuite{TLS_AES_128_CCM_8_SHA256}
			c.KeyExchangeModes = []KeyExchangeMode{KeyExchangePSK}
		}, KeyExchangePSK, 0, TLS_AES_128_CCM_8_SHA256, false, 0, "small board"},
		{"max_fragment_length 512", nil, func(c *Config) { c.MaxFragmentLength = 512 },
			KeyExchangePSKDHE, X25519, TLS_AES_128_GCM_SHA256, false, 512, longLine(1500)},
		{"max_fragment_length 1024 ccm_8", []string{"-ciphersuites", allCCM}, func(c *Config) {
			c.MaxFragmentLength = 1024
			c.CipherSuites = []CipherSuite{TLS_AES_128_CCM_8_SHA256}
		}, KeyExchangePSKDHE, X25519, TLS_AES_128_CCM_8_SHA256, false, 1024, longLine(3000)},
		{"no tickets", []string{"-num_tickets", "0"}, nil,
			KeyExchangePSKDHE, X25519, TLS_AES_128_GCM_SHA256, false, 0, "quiet server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"-rev"}, tt.serverArgs...)
			if !strings.Contains(strings.Join(args, " "), "num_tickets") {
				args = append(args, "-num_tickets", "3")
			}
			srv, addr := startSServer(t, args...)
			cfg := clientConfig()
			if tt.edit != nil {
				tt.edit(cfg)
			}
			c, err := dialClient(t, addr, cfg)
			if err != nil {
				t.Fatalf("handshake: %v\ns_server output:\n%s", err, srv.output())
			}
			st := c.ConnectionState()
			if st.KeyExchangeMode != tt.mode || st.Group != tt.group || st.CipherSuite != tt.suite ||
				st.DidHelloRetryRequest != tt.hrr || st.MaxFragmentLength != tt.mfl {
				t.Errorf("state %+v", st)
			}
			for _, line := range []string{tt.line, "second " + tt.line} {
				if _, err := io.WriteString(c, line+"\n"); err != nil {
					t.Fatal(err)
				}
				if got := readLine(t, c); got != reverse(line) {
					t.Fatalf("s_server answered %d bytes %.40q..., want the reverse of %.40q...", len(got), got, line)
				}
			}
			srv.waitFor("Ciphersuite: " + tt.suite.String())
		})
	}
}

// TestInteropUnansweredRecordSizeLimit: OpenSSL 3.0 does not implement
// record_size_limit, so s_server ignores the client's 512 and answers a
// long line with one record of its full length; the client, having grown
// its receive buffer during the handshake, reads it. A client that
// requires a limit refuses the same server.
func TestInteropUnansweredRecordSizeLimit(t *testing.T) {
	requireOpenSSL(t)
	rsl512 := func(c *Config) { c.RecordSizeLimit = 512 }
	// The smallest limit too, whose buffer a ServerHello with a key
	// share, sent whole by s_server, would not fit: the client takes it in
	// the room it keeps for unprotected hellos.
	for _, tt := range []struct {
		rsl   int
		group Group
	}{{512, X25519}, {64, X25519}, {64, P256}} {
		t.Run("grows/"+itoa(tt.rsl)+"/"+tt.group.String(), func(t *testing.T) {
			srv, addr := startSServer(t, "-rev", "-num_tickets", "0")
			nc, err := net.DialTimeout("tcp", addr, interopLimit)
			if err != nil {
				t.Fatal(err)
			}
			wire := &recordSizes{Conn: nc}
			nc.SetDeadline(time.Now().Add(interopLimit))
			c := ClientOver(wire, clientConfig(func(c *Config) { c.RecordSizeLimit = tt.rsl; c.Groups = []Group{tt.group} }))
			t.Cleanup(func() { c.Close() })
			if err := c.Handshake(); err != nil {
				t.Fatalf("handshake: %v\ns_server output:\n%s", err, srv.output())
			}
			st := c.ConnectionState()
			if st.PeerRecordSizeLimit != 0 || st.MaxFragmentLength != 0 || st.ReceiveLimit != MaxPlaintext || st.SendLimit != tt.rsl-1 || st.Group != tt.group {
				t.Errorf("state %+v, want no limit answered, receive limit %d, send limit %d, group %v", st, MaxPlaintext, tt.rsl-1, tt.group)
			}
			line := longLine(5000)
			if _, err := io.WriteString(c, line+"\n"); err != nil {
				t.Fatal(err)
			}
			if got := readLine(t, c); got != reverse(line) {
				t.Fatalf("s_server answered %d bytes %.40q..., want the reverse of the %d-byte line", len(got), got, len(line))
			}
			// 5000 bytes and the newline in one record: more than ten
			// times what the client asked for.
			if got := wire.largest(); got < 5000 {
				t.Errorf("largest record from s_server %d bytes: the test did not get a full-size record", got)
			}
			if got := wire.largestSent(); got > tt.rsl+16 {
				t.Errorf("client sent a %d-byte record, above its own limit", got)
			}
		})
	}
	t.Run("required", func(t *testing.T) {
		srv, addr := startSServer(t)
		_, err := dialClient(t, addr, clientConfig(rsl512, func(c *Config) { c.RequireRecordLimit = true }))
		wantLocal(t, "client", err, ErrRecordLimitRefused, AlertHandshakeFailure)
		srv.waitFor("handshake failure")
	})
}

// recordSizes notes the length of the largest TLS record read and written
// through it, following record headers across reads and writes of any
// size.
type recordSizes struct {
	net.Conn
	mu      sync.Mutex
	in, out recordScan
}

type recordScan struct {
	hdr  [headerLen]byte
	have int // header bytes seen of the current record
	left int // body bytes still to come
	max  int
}

func (r *recordScan) scan(p []byte) {
	for len(p) > 0 {
		if r.left > 0 {
			k := min(r.left, len(p))
			r.left -= k
			p = p[k:]
			continue
		}
		k := copy(r.hdr[r.have:], p)
		r.have += k
		p = p[k:]
		if r.have == headerLen {
			r.left = int(r.hdr[3])<<8 | int(r.hdr[4])
			r.max = max(r.max, r.left)
			r.have = 0
		}
	}
}

func (r *recordSizes) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.mu.Lock()
	r.in.scan(p[:n])
	r.mu.Unlock()
	return n, err
}

func (r *recordSizes) Write(p []byte) (int, error) {
	n, err := r.Conn.Write(p)
	r.mu.Lock()
	r.out.scan(p[:n])
	r.mu.Unlock()
	return n, err
}

func (r *recordSizes) largest() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.in.max
}

func (r *recordSizes) largestSent() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.max
}

// TestInteropKeyUpdateWithSServer: s_server sends a KeyUpdate asking for
// one back ("K" on its input); then this client updates and asks too.
//
// s_server acts on its input only after its next read from the
// connection, so each line it is given is followed by a line from the
// client, and the test waits for s_server to print that line.
func TestInteropKeyUpdateWithSServer(t *testing.T) {
	requireOpenSSL(t)
	srv, addr := startSServer(t, "-num_tickets", "2")
	c, err := dialClient(t, addr, clientConfig())
	if err != nil {
		t.Fatalf("handshake: %v\n%s", err, srv.output())
	}
	nudge := func(input, line string) {
		t.Helper()
		srv.send(input)
		if _, err := io.WriteString(c, line+"\n"); err != nil {
			t.Fatal(err)
		}
		srv.waitFor(line)
	}
	nudge("K", "nudge 1")
	srv.waitFor("SSL_do_handshake -> 1")
	nudge("pong", "nudge 2")
	if got := readLine(t, c); got != "pong" {
		t.Fatalf("read %q after the server's KeyUpdate", got)
	}
	// Sent with the write key this client moved to when it answered.
	io.WriteString(c, "after server update\n")
	srv.waitFor("after server update")

	if err := c.UpdateKeys(true); err != nil {
		t.Fatal(err)
	}
	nudge("pong again", "after client update")
	if got := readLine(t, c); got != "pong again" {
		t.Fatalf("read %q after this client's KeyUpdate", got)
	}
}

// TestInteropClientRefused: s_server refuses a wrong key and an unknown
// identity; this client reports the alert. OpenSSL 3.0 answers a bad
// binder with illegal_parameter where RFC 8446 names decrypt_error (later
// OpenSSL releases send decrypt_error), and treats an unknown identity as
// no PSK at all, then fails for want of a certificate exchange
// (missing_extension for signature_algorithms); both are accepted here.
func TestInteropClientRefused(t *testing.T) {
	requireOpenSSL(t)
	tests := []struct {
		name    string
		edit    func(*Config)
		alerts  []Alert
		openssl string
	}{
		{"wrong key", func(c *Config) { c.PSK.Key = otherKey },
			[]Alert{AlertDecryptError, AlertIllegalParameter}, "binder does not verify"},
		{"unknown identity", func(c *Config) { c.PSK.Identity = "stranger" },
			[]Alert{AlertUnknownPSKIdentity, AlertMissingExtension, AlertHandshakeFailure}, "ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, addr := startSServer(t)
			_, err := dialClient(t, addr, clientConfig(tt.edit))
			var ae *AlertError
			if !errors.As(err, &ae) {
				t.Fatalf("client error %v, want an alert from s_server", err)
			}
			if !slices.Contains(tt.alerts, ae.Alert) {
				t.Errorf("s_server sent %v, want one of %v", ae.Alert, tt.alerts)
			}
			srv.waitFor(tt.openssl)
		})
	}
}

// echoServer accepts one TCP connection as a ServerOver Conn, answers each
// line with "echo: " + line, and reports how it ended.
type echoServer struct {
	addr  string
	state chan ConnectionState
	done  chan error
}

func startEchoServer(t *testing.T, cfg *Config) *echoServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	e := &echoServer{addr: l.Addr().String(), state: make(chan ConnectionState, 1), done: make(chan error, 1)}
	go func() {
		nc, err := l.Accept()
		if err != nil {
			e.done <- err
			return
		}
		c := ServerOver(nc, cfg)
		defer c.Close()
		c.SetDeadline(time.Now().Add(interopLimit))
		if err := c.Handshake(); err != nil {
			e.done <- err
			return
		}
		e.state <- c.ConnectionState()
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				e.done <- err
				return
			}
			if _, err := io.WriteString(c, "echo: "+line); err != nil {
				e.done <- err
				return
			}
		}
	}()
	return e
}

func (e *echoServer) result(t *testing.T) error {
	t.Helper()
	select {
	case err := <-e.done:
		return err
	case <-time.After(interopLimit):
		t.Fatal("echo server did not finish")
		return nil
	}
}

func startSClient(t *testing.T, addr string, extra ...string) *opensslProc {
	t.Helper()
	args := []string{"s_client", "-connect", addr, "-tls1_3", "-psk", interopKeyHex,
		"-psk_identity", interopIdentity, "-brief"}
	return startOpenSSL(t, append(args, extra...)...)
}

// TestInteropServerWithSClient: s_client against this server in each mode;
// lines go out and come back echoed.
func TestInteropServerWithSClient(t *testing.T) {
	requireOpenSSL(t)
	both := []KeyExchangeMode{KeyExchangePSK, KeyExchangePSKDHE}
	tests := []struct {
		name       string
		server     func(*Config)
		clientArgs []string
		mode       KeyExchangeMode
		group      Group
		suite      CipherSuite
		hrr        bool
		mfl        int
		line       string
	}{
		{"psk_dhe_ke x25519", nil, nil, KeyExchangePSKDHE, X25519, TLS_AES_128_GCM_SHA256, false, 0, "hello"},
		{"psk_dhe_ke p256", nil, []string{"-groups", "P-256"}, KeyExchangePSKDHE, P256, TLS_AES_128_GCM_SHA256, false, 0, "hello"},
		{"hello retry to p256", func(c *Config) { c.Groups = []Group{P256} }, nil,
			KeyExchangePSKDHE, P256, TLS_AES_128_GCM_SHA256, true, 0, "retried"},
		{"psk_ke", func(c *Config) { c.KeyExchangeModes = both }, []string{"-allow_no_dhe_kex"},
			KeyExchangePSK, 0, TLS_AES_128_GCM_SHA256, false, 0, "no dhe"},
		{"ccm", nil, []string{"-ciphersuites", "TLS_AES_128_CCM_SHA256"},
			KeyExchangePSKDHE, X25519, TLS_AES_128_CCM_SHA256, false, 0, "ccm"},
		{"ccm_8 psk_ke", func(c *Config) { c.KeyExchangeModes = both },
			[]string{"-ciphersuites", "TLS_AES_128_CCM_8_SHA256", "-allow_no_dhe_kex"},
			KeyExchangePSK, 0, TLS_AES_128_CCM_8_SHA256, false, 0, "small board"},
		{"max_fragment_length 512", nil, []string{"-maxfraglen", "512"},
			KeyExchangePSKDHE, X25519, TLS_AES_128_GCM_SHA256, false, 512, longLine(1500)},
		{"max_fragment_length 512, small server", func(c *Config) { c.RecordSizeLimit = 513 }, []string{"-maxfraglen", "512"},
			KeyExchangePSKDHE, X25519, TLS_AES_128_GCM_SHA256, false, 512, longLine(1500)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := serverConfig()
			if tt.server != nil {
				tt.server(cfg)
			}
			srv := startEchoServer(t, cfg)
			cli := startSClient(t, srv.addr, tt.clientArgs...)
			var st ConnectionState
			select {
			case st = <-srv.state:
			case err := <-srv.done:
				t.Fatalf("server failed: %v\ns_client output:\n%s", err, cli.output())
			case <-time.After(interopLimit):
				t.Fatalf("no handshake; s_client output:\n%s", cli.output())
			}
			if st.KeyExchangeMode != tt.mode || st.Group != tt.group || st.CipherSuite != tt.suite ||
				st.DidHelloRetryRequest != tt.hrr || st.MaxFragmentLength != tt.mfl {
				t.Errorf("state %+v", st)
			}
			cli.waitFor("Ciphersuite: " + tt.suite.String())
			cli.send(tt.line)
			cli.waitFor("echo: " + tt.line)
			cli.send("second line")
			cli.waitFor("echo: second line")
			cli.stdin.Close() // s_client sends close_notify and exits
			if err := srv.result(t); err != io.EOF {
				t.Errorf("server ended with %v, want io.EOF from close_notify", err)
			}
			cli.waitExit()
		})
	}
}

// TestInteropKeyUpdateFromSClient: s_client asks this server for a key
// update ("K" on its input); lines keep flowing both ways.
func TestInteropKeyUpdateFromSClient(t *testing.T) {
	requireOpenSSL(t)
	srv := startEchoServer(t, serverConfig())
	cli := startSClient(t, srv.addr)
	cli.waitFor("Ciphersuite:")
	cli.send("before")
	cli.waitFor("echo: before")
	cli.send("K")
	cli.waitFor("KEYUPDATE")
	cli.send("after")
	cli.waitFor("echo: after")
	cli.stdin.Close()
	if err := srv.result(t); err != io.EOF {
		t.Errorf("server ended with %v", err)
	}
}

// TestInteropServerRefuses: s_client with a wrong key or an unknown
// identity sees the alert this server sends, the same for both unless
// the server reveals unknown identities; the server reports why.
func TestInteropServerRefuses(t *testing.T) {
	requireOpenSSL(t)
	reveal := func(c *Config) { c.RevealUnknownIdentity = true }
	tests := []struct {
		name     string
		args     []string
		server   *Config
		sentinel error
		alert    Alert
		openssl  string
	}{
		{"wrong key", []string{"-psk", hex.EncodeToString(otherKey)}, serverConfig(), ErrBadBinder, AlertDecryptError, "alert number 51"},
		{"unknown identity", []string{"-psk_identity", "stranger"}, serverConfig(), ErrUnknownIdentity, AlertDecryptError, "alert number 51"},
		{"unknown identity revealed", []string{"-psk_identity", "stranger"}, serverConfig(reveal),
			ErrUnknownIdentity, AlertUnknownPSKIdentity, "alert number 115"},
		{"psk_ke refused by default", []string{"-allow_no_dhe_kex", "-ciphersuites", "TLS_AES_128_GCM_SHA256"},
			serverConfig(), nil, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startEchoServer(t, tt.server)
			cli := startSClient(t, srv.addr, tt.args...)
			if tt.sentinel == nil {
				// OpenSSL offers psk_dhe_ke next to psk_ke, so the
				// default server still connects, with DHE.
				select {
				case st := <-srv.state:
					if st.KeyExchangeMode != KeyExchangePSKDHE {
						t.Errorf("state %+v", st)
					}
				case err := <-srv.done:
					t.Fatalf("server failed: %v\n%s", err, cli.output())
				case <-time.After(interopLimit):
					t.Fatal("no handshake")
				}
				return
			}
			err := srv.result(t)
			wantLocal(t, "server", err, tt.sentinel, tt.alert)
			cli.waitFor(tt.openssl)
		})
	}
}
