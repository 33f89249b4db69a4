//go:build linux

package pty

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// Open creates a pseudo-terminal whose slave is in raw mode (see the
// package doc).
func Open() (*PTY, error) {
	// os.OpenFile registers a character device with the runtime poller,
	// so that Close and deadlines wake blocked Reads and Writes. The
	// descriptor is used through SyscallConn only: File.Fd would switch it
	// back to blocking mode.
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, fmt.Errorf("pty: %w", err)
	}
	var n uint32
	err = control(master, func(fd uintptr) error {
		var unlock int32 // 0: unlocked
		if err := ioctl(fd, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
			return fmt.Errorf("unlock (TIOCSPTLCK): %w", err)
		}
		if err := ioctl(fd, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
			return fmt.Errorf("number (TIOCGPTN): %w", err)
		}
		return nil
	})
	if err != nil {
		master.Close()
		return nil, fmt.Errorf("pty: /dev/ptmx: %w", err)
	}
	path := "/dev/pts/" + strconv.FormatUint(uint64(n), 10)
	slave, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, fmt.Errorf("pty: %w", err)
	}
	if err := control(slave, makeRaw); err != nil {
		master.Close()
		slave.Close()
		return nil, fmt.Errorf("pty: %s: %w", path, err)
	}
	return &PTY{Master: master, SlavePath: path, slave: slave}, nil
}

// makeRaw sets the terminal on fd to raw 8N1, as cfmakeraw(3) does, and
// also turns off XON/XOFF and modem-line handling (CLOCAL), which a
// serial link does not want. Hardware flow control (CRTSCTS, which the
// syscall package does not name) is off on a new pty and has no lines to
// act on.
func makeRaw(fd uintptr) error {
	var t syscall.Termios
	if err := ioctl(fd, syscall.TCGETS, unsafe.Pointer(&t)); err != nil {
		return fmt.Errorf("get termios (TCGETS): %w", err)
	}
	t.Iflag &^= syscall.IGNBRK | syscall.BRKINT | syscall.PARMRK | syscall.ISTRIP |
		syscall.INLCR | syscall.IGNCR | syscall.ICRNL | syscall.IXON | syscall.IXOFF | syscall.IXANY
	t.Oflag &^= syscall.OPOST
	t.Lflag &^= syscall.ECHO | syscall.ECHONL | syscall.ICANON | syscall.ISIG | syscall.IEXTEN
	t.Cflag &^= syscall.CSIZE | syscall.PARENB | syscall.CSTOPB
	t.Cflag |= syscall.CS8 | syscall.CREAD | syscall.CLOCAL
	t.Cc[syscall.VMIN] = 1 // a read returns as soon as one byte is there
	t.Cc[syscall.VTIME] = 0
	if err := ioctl(fd, syscall.TCSETS, unsafe.Pointer(&t)); err != nil {
		return fmt.Errorf("set termios (TCSETS): %w", err)
	}
	return nil
}

func control(f *os.File, fn func(fd uintptr) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(fd) }); err != nil {
		return err
	}
	return ferr
}

func ioctl(fd, req uintptr, arg unsafe.Pointer) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg)); errno != 0 {
		return errno
	}
	return nil
}
