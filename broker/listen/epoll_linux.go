package listen

import (
	"fmt"
	"sync"
	"syscall"
)

// An epoller waits for all its silent streams in one epoll instance, on
// one goroutine: a stream holds no goroutine while its client is silent.
// Each stream is registered one-shot, so it fires once per arming.
type epoller struct {
	epfd   int
	wake   [2]int // a pipe whose read end, in the set, ends the loop
	mu     sync.Mutex
	byFd   []*stream // by file descriptor, grown to the highest seen
	nextID int32
	done   chan struct{}
}

func newEpoller() (*epoller, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("listen: epoll: %w", err)
	}
	p := &epoller{epfd: epfd, done: make(chan struct{})}
	if err := syscall.Pipe2(p.wake[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		syscall.Close(epfd)
		return nil, fmt.Errorf("listen: epoll: %w", err)
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: -1}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, p.wake[0], &ev); err != nil {
		p.closeFds()
		return nil, fmt.Errorf("listen: epoll: %w", err)
	}
	go p.loop()
	return p, nil
}

func (p *epoller) closeFds() {
	syscall.Close(p.wake[0])
	syscall.Close(p.wake[1])
	syscall.Close(p.epfd)
}

// stop ends the loop and closes the instance.
func (p *epoller) stop() {
	syscall.Write(p.wake[1], []byte{0})
	<-p.done
	p.closeFds()
}

func (p *epoller) start(s *stream) {
	p.mu.Lock()
	p.nextID++
	s.id = p.nextID
	if int(s.fd) >= len(p.byFd) {
		p.byFd = append(p.byFd, make([]*stream, int(s.fd)+1-len(p.byFd))...)
	}
	p.byFd[s.fd] = s
	p.mu.Unlock()
}

const armEvents = syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT

func (p *epoller) arm(s *stream) error {
	ev := syscall.EpollEvent{Events: armEvents, Fd: s.fd, Pad: s.id}
	op := syscall.EPOLL_CTL_MOD
	if !s.inSet.Load() {
		op = syscall.EPOLL_CTL_ADD
	}
	if err := syscall.EpollCtl(p.epfd, op, int(s.fd), &ev); err != nil {
		return fmt.Errorf("listen: epoll: %w", err)
	}
	s.inSet.Store(true)
	return nil
}

func (p *epoller) forget(s *stream) {
	p.mu.Lock()
	if p.byFd[s.fd] == s {
		p.byFd[s.fd] = nil
		if s.inSet.Load() {
			// Before the socket closes, while its number is still its own.
			syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, int(s.fd), nil)
		}
	}
	p.mu.Unlock()
}

func (p *epoller) loop() {
	defer close(p.done)
	events := make([]syscall.EpollEvent, 256)
	for {
		n, err := syscall.EpollWait(p.epfd, events, -1)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return
		}
		for _, ev := range events[:n] {
			if ev.Fd == -1 {
				return
			}
			var s *stream
			p.mu.Lock()
			if int(ev.Fd) < len(p.byFd) {
				s = p.byFd[ev.Fd]
			}
			p.mu.Unlock()
			// An event taken before its stream was forgotten may name a
			// newer stream on the same number; the id tells.
			if s != nil && s.id == ev.Pad {
				s.fire()
			}
		}
	}
}
