package tlspsk_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk/psknet"
)

var key = []byte{
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
}

// A board without a network stack: the broker end of a serial line
// serves TLS-PSK over a stream that has only Read, Write and Close, and
// the host at the other end is the client.
func ExampleServerOver() {
	board, host := newSerialLine()
	go func() {
		conn := tlspsk.ServerOver(board, &tlspsk.Config{
			PSKs: []tlspsk.PSK{{Identity: "host-1", Key: key}},
		})
		defer conn.Close()
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil {
			return
		}
		fmt.Fprintf(conn, "%s said %s", conn.ConnectionState().Identity, line)
	}()

	conn := tlspsk.ClientOver(host, &tlspsk.Config{PSK: tlspsk.PSK{Identity: "host-1", Key: key}})
	defer conn.Close()
	fmt.Fprintln(conn, "hello")
	reply, err := io.ReadAll(conn) // up to the board's close_notify
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(reply))
	if err := conn.SetDeadline(time.Now()); errors.Is(err, tlspsk.ErrNoDeadline) {
		fmt.Println("no deadlines on a serial line")
	}
	// Output:
	// host-1 said hello
	// no deadlines on a serial line
}

// serialLine is one end of an in-memory serial line: it reads what the
// other end writes, and has no addresses and no deadlines, as a UART
// driver would not.
type serialLine struct {
	r *io.PipeReader
	w *io.PipeWriter
}

func newSerialLine() (a, b serialLine) {
	ar, bw := io.Pipe()
	br, aw := io.Pipe()
	return serialLine{ar, aw}, serialLine{br, bw}
}

func (s serialLine) Read(p []byte) (int, error)  { return s.r.Read(p) }
func (s serialLine) Write(p []byte) (int, error) { return s.w.Write(p) }

// Close ends both directions, so that a write from the other end fails
// at once instead of waiting for a reader.
func (s serialLine) Close() error {
	s.r.Close()
	return s.w.Close()
}

func ExampleBufferBytes() {
	for _, limit := range []int{tlspsk.MaxPlaintext, 4096, 512} {
		fmt.Println(limit, tlspsk.BufferBytes(limit))
	}
	// Output:
	// 16384 32812
	// 4096 8236
	// 512 1068
}

// A board that cannot afford a 16 KiB receive buffer offers
// record_size_limit and requires the server to answer it. This package's
// server does; against one that answers neither record_size_limit nor
// max_fragment_length (OpenSSL 3.0 knows only the latter) the handshake
// would fail with ErrRecordLimitRefused, where a client without
// RequireRecordLimit would grow its receive buffer to 16406 bytes.
func ExampleConfig_requireRecordLimit() {
	ln, err := psknet.Listen("tcp", "127.0.0.1:0", &tlspsk.Config{
		PSKs: []tlspsk.PSK{{Identity: "board-7", Key: key}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err == nil {
			conn.(*psknet.Conn).Handshake()
			conn.Close()
		}
	}()

	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	conn := psknet.Client(nc, &tlspsk.Config{
		PSK:                tlspsk.PSK{Identity: "board-7", Key: key},
		RecordSizeLimit:    513,
		RequireRecordLimit: true,
	})
	defer conn.Close()
	if err := conn.Handshake(); errors.Is(err, tlspsk.ErrRecordLimitRefused) {
		log.Fatal("this server would send 16 KiB records: ", err)
	} else if err != nil {
		log.Fatal(err)
	}
	st := conn.ConnectionState()
	fmt.Println("receives records of at most", st.ReceiveLimit, "bytes; buffers:", conn.BufferBytes(), "bytes")
	// Output:
	// receives records of at most 512 bytes; buffers: 1068 bytes
}
