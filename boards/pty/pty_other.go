//go:build !linux

package pty

// Open returns ErrUnsupported: only Linux is implemented.
func Open() (*PTY, error) { return nil, ErrUnsupported }
