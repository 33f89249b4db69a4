package listen

import (
	"fmt"
	"os"
	"sync"
	"syscall"
)

// An epoller waits for all the raw streams of a server in one epoll
// instance, on one goroutine: a stream holds no goroutine while its client
// is silent. Each socket is in the set once, from accept to close,
// edge-triggered for reading and writing, as the Go runtime's poller keeps
// its own: an event says that a direction became ready, and the stream
// keeps that until someone takes it (see readiness), so that arming a
// stream costs no system call.
//
// The epoll instance is itself waited for in the Go runtime's poller, as
// a socket is: the loop takes the events there are without waiting, and
// parks in the runtime until the instance has more, so that no thread
// sleeps in epoll_wait and the scheduler hands the loop its events as it
// does a socket's.
type epoller struct {
	srv    *server // whose streams these are
	epfd   int
	file   *os.File        // epfd, in the runtime's poller
	rc     syscall.RawConn // of file
	wake   [2]int          // a pipe whose read end, in the set, ends the loop
	mu     sync.Mutex
	byFd   []*rawStream // the streams (and listeners), by descriptor, grown to the highest seen
	nextID int32
	done   chan struct{}
}

func newEpoller(srv *server) (*epoller, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("listen: epoll: %w", err)
	}
	p := &epoller{srv: srv, epfd: epfd, done: make(chan struct{})}
	if err := syscall.Pipe2(p.wake[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		syscall.Close(epfd)
		return nil, fmt.Errorf("listen: epoll: %w", err)
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: -1}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, p.wake[0], &ev); err != nil {
		p.closeFds()
		return nil, fmt.Errorf("listen: epoll: %w", err)
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		p.closeFds()
		return nil, fmt.Errorf("listen: epoll: %w", err)
	}
	p.file = os.NewFile(uintptr(epfd), "epoll")
	if p.rc, err = p.file.SyscallConn(); err != nil {
		p.closeFds()
		return nil, fmt.Errorf("listen: epoll: %w", err)
	}
	go p.loop()
	return p, nil
}

func (p *epoller) closeFds() {
	syscall.Close(p.wake[0])
	syscall.Close(p.wake[1])
	if p.file != nil {
		p.file.Close()
	} else {
		syscall.Close(p.epfd)
	}
}

// stop ends the loop and closes the instance.
func (p *epoller) stop() {
	syscall.Write(p.wake[1], []byte{0})
	<-p.done
	p.closeFds()
}

// epollET is EPOLLET as the bit of an event mask (syscall has it as a
// negative int).
const epollET = 1 << 31

const watchEvents = syscall.EPOLLIN | syscall.EPOLLOUT | syscall.EPOLLRDHUP | epollET

// add puts s's socket in the set.
func (p *epoller) add(s *rawStream) error {
	p.mu.Lock()
	p.nextID++
	s.id = p.nextID
	if int(s.fd) >= len(p.byFd) {
		p.byFd = append(p.byFd, make([]*rawStream, int(s.fd)+1-len(p.byFd))...)
	}
	p.byFd[s.fd] = s
	p.mu.Unlock()
	ev := syscall.EpollEvent{Events: watchEvents, Fd: s.fd, Pad: s.id}
	if err := syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, int(s.fd), &ev); err != nil {
		return fmt.Errorf("listen: epoll: %w", err)
	}
	return nil
}

// closeAll closes every stream in the set; each ends as the broker sees
// it closed.
func (p *epoller) closeAll() {
	p.mu.Lock()
	var all []*rawStream
	for _, s := range p.byFd {
		if s != nil && s.ep != nil { // a listener's entry has none
			all = append(all, s)
		}
	}
	p.mu.Unlock()
	for _, s := range all {
		s.Close()
	}
}

// forget takes s's socket out of the set; it is called before the socket
// closes, while its number is still its own.
func (p *epoller) forget(s *rawStream) {
	p.mu.Lock()
	if int(s.fd) < len(p.byFd) && p.byFd[s.fd] == s {
		p.byFd[s.fd] = nil
	}
	p.mu.Unlock()
	syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, int(s.fd), nil)
}

const (
	readEvents  = syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLHUP | syscall.EPOLLERR
	writeEvents = syscall.EPOLLOUT | syscall.EPOLLHUP | syscall.EPOLLERR
)

func (p *epoller) loop() {
	defer close(p.done)
	events := make([]syscall.EpollEvent, 256)
	var n int
	var werr error
	take := func(fd uintptr) bool {
		n, werr = syscall.EpollWait(int(fd), events, 0)
		if werr == syscall.EINTR {
			n, werr = 0, nil
			return true // look again, rather than wait for an edge already past
		}
		return n > 0 || werr != nil
	}
	for {
		if err := p.rc.Read(take); err != nil || werr != nil {
			return
		}
		for _, ev := range events[:n] {
			if ev.Fd == -1 {
				return
			}
			var s *rawStream
			p.mu.Lock()
			if int(ev.Fd) < len(p.byFd) {
				s = p.byFd[ev.Fd]
			}
			p.mu.Unlock()
			// An event taken before its stream was forgotten may name a
			// newer stream on the same number; the id tells.
			if s == nil || s.id != ev.Pad {
				continue
			}
			if ev.Events&readEvents != 0 {
				s.tell(&s.rd, &s.lingering)
			}
			if ev.Events&writeEvents != 0 {
				s.tell(&s.wr, &s.writerWaiting)
			}
		}
	}
}
