//go:build linux

package rfc2217_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/gatomqtt/gatomqtt/boards/pty"
	"github.com/gatomqtt/gatomqtt/boards/rfc2217"
)

// lockedBuffer collects ser2net's output for the test log.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startSer2net serves the slave of a new pty with ser2net's RFC 2217
// accepter on a free loopback port. It returns the pty (whose master is
// the device's far end) and the address.
func startSer2net(t *testing.T) (*pty.PTY, string) {
	t.Helper()
	bin, err := exec.LookPath("ser2net")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/ser2net"); serr != nil {
			t.Skip("ser2net is not installed")
		}
		bin = "/usr/sbin/ser2net"
	}
	p, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	dir := t.TempDir()
	// ser2net 4.x YAML: "local" ignores the modem lines, which a pty
	// does not have.
	conf := fmt.Sprintf(`connection: &con1
  accepter: telnet(rfc2217),tcp,127.0.0.1,%d
  connector: serialdev,%s,115200n81,local
`, port, p.SlavePath)
	confPath := filepath.Join(dir, "ser2net.yaml")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	out := &lockedBuffer{}
	// -n: foreground, -d: debug output to stdout, -u: no UUCP lock file,
	// -P: pid file in the test's directory.
	cmd := exec.Command(bin, "-n", "-d", "-u", "-c", confPath, "-P", filepath.Join(dir, "pid"))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill() // this process, by its pid
		<-exited
		if t.Failed() {
			t.Logf("ser2net output:\n%s", out.String())
		}
	})

	// Bounded polling until ser2net listens.
	deadline := time.Now().Add(patience)
	for {
		c, err := net.DialTimeout("tcp", addr, patience)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			t.Fatalf("ser2net exited: %s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("ser2net does not listen on %s: %v\n%s", addr, err, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return p, addr
}

// ptyTermios reads the slave's terminal settings through the master
// (on Linux, TCGETS on a pty master reports its slave).
func ptyTermios(t *testing.T, p *pty.PTY) syscall.Termios {
	t.Helper()
	rc, err := p.Master.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var tio syscall.Termios
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCGETS, uintptr(unsafe.Pointer(&tio)))
	}); err != nil {
		t.Fatal(err)
	}
	if errno != 0 {
		t.Fatal(errno)
	}
	return tio
}

func TestSer2net(t *testing.T) {
	p, addr := startSer2net(t)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	port, err := rfc2217.Dial(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	port.SetReadDeadline(time.Now().Add(patience))
	p.Master.SetDeadline(time.Now().Add(patience))

	t.Run("data both ways", func(t *testing.T) {
		all := make([]byte, 256)
		for i := range all {
			all[i] = byte(i)
		}
		data := append([]byte{0xff, 0xff, 'x'}, all...)
		if _, err := port.Write(data); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(data))
		if _, err := io.ReadFull(p.Master, got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("pty got % x, want % x", got, data)
		}
		if _, err := p.Master.Write(data); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(port, got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("port got % x, want % x", got, data)
		}
	})

	t.Run("baud rate", func(t *testing.T) {
		for _, tc := range []struct {
			baud  int
			cbaud uint32
		}{
			{9600, syscall.B9600},
			{1200, syscall.B1200},
			{115200, syscall.B115200},
		} {
			got, err := port.SetBaudRate(ctx, tc.baud)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.baud {
				t.Errorf("ser2net set %d, want %d", got, tc.baud)
			}
			// ser2net answers after it set the device; poll briefly
			// anyway, bounded.
			var c uint32
			for end := time.Now().Add(patience); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
				if c = ptyTermios(t, p).Cflag & cbaud; c == tc.cbaud {
					break
				}
			}
			if c != tc.cbaud {
				t.Errorf("pty baud bits %#o after SetBaudRate(%d), want %#o", c, tc.baud, tc.cbaud)
			}
		}
		if got, err := port.SetBaudRate(ctx, 0); err != nil || got != 115200 {
			t.Errorf("SetBaudRate(0) = %d, %v; want the current 115200", got, err)
		}
	})

	t.Run("purge", func(t *testing.T) {
		if err := port.Purge(ctx, rfc2217.PurgeBoth); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("DTR and RTS on a pty", func(t *testing.T) {
		// A pty has no modem lines: ser2net's TIOCMSET fails and ser2net
		// 4.3 sends no answer at all to SET-CONTROL 8/9/11/12, so the
		// client reports ErrNoAnswer after its ack timeout.
		port.SetAckTimeout(200 * time.Millisecond)
		defer port.SetAckTimeout(rfc2217.DefaultAckTimeout)
		for name, set := range map[string]func(bool) error{"DTR": port.SetDTR, "RTS": port.SetRTS} {
			err := set(true)
			switch {
			case errors.Is(err, rfc2217.ErrNoAnswer):
				t.Logf("%s: ser2net did not answer (pty has no modem lines)", name)
			case err == nil:
				t.Logf("%s: ser2net confirmed", name)
			default:
				t.Errorf("%s: %v", name, err)
			}
		}
		// The session is still usable afterwards.
		if got, err := port.SetBaudRate(ctx, 115200); err != nil || got != 115200 {
			t.Fatalf("SetBaudRate after DTR/RTS: %d, %v", got, err)
		}
	})

	t.Run("signature", func(t *testing.T) {
		sig, err := port.Signature(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(sig, "ser2net") {
			t.Errorf("signature %q", sig)
		}
	})
}

// cbaud masks the baud bits of c_cflag (CBAUD|CBAUDEX in <asm/termbits.h>;
// the syscall package does not name it).
const cbaud = 0o010017
