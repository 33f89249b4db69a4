package rfc2217

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Signature is the text this package sends when asked for its
// SIGNATURE.
const Signature = "gatomqtt rfc2217"

// Line is the device side the Server serves: the serial data plus the
// settings an RFC 2217 client may change. An emulated board implements
// it to see baud changes and DTR/RTS sequences.
//
// The Server calls the setters in the order the commands arrive, from one
// goroutine, and waits for each to return before it answers the client
// and reads the next command, so their timing follows the client's.
type Line interface {
	io.ReadWriter
	// SetBaudRate is called for SET-BAUDRATE with a rate above 0. On nil
	// the server answers the rate as set; on an error it answers the
	// rate in use before.
	SetBaudRate(baud int) error
	// SetDTR and SetRTS are called for SET-CONTROL 8/9 and 11/12. On nil
	// the server confirms the new state; on an error it answers the
	// state in use before.
	SetDTR(on bool) error
	SetRTS(on bool) error
}

// Purger is implemented by a Line that can discard buffered data; the
// Server then calls it for PURGE-DATA. Without it PURGE-DATA is answered
// and does nothing.
type Purger interface {
	Purge(receive, transmit bool) error
}

// Server serves the access-server side of RFC 2217 on one connection at
// a time for a Line.
type Server struct {
	Line Line
	// Baud is the rate reported before the first SET-BAUDRATE (115200
	// when 0).
	Baud int
}

// serverConn is the state of one served connection.
type serverConn struct {
	s    *Server
	conn net.Conn
	wmu  sync.Mutex
	neg  *negotiator
	baud int
	dtr  bool
	rts  bool
}

// ServeConn serves conn until the client closes it, a write to it fails or
// ctx is done, and then closes conn. Data from the client goes to the
// Line with Telnet escaping removed; data read from the Line goes to the
// client escaped.
//
// The Line's Read is called from a second goroutine. When ServeConn
// returns, a Read still blocked in it is woken if the Line has
// SetReadDeadline (as an *os.File does) and then waited for; otherwise
// that goroutine lingers until the Read returns, and the bytes it got are
// dropped.
//
// Only 8 data bits, no parity and one stop bit are served: SET-DATASIZE,
// SET-PARITY and SET-STOPSIZE are answered with 8, NONE and 1. Flow
// control requests are answered with NONE, BREAK with OFF, and the line
// and modem state notifications are not sent.
func (s *Server) ServeConn(ctx context.Context, conn net.Conn) error {
	c := &serverConn{s: s, conn: conn, neg: newNegotiator(optBinary, optSGA, optComPort), baud: s.Baud, dtr: true, rts: true}
	if c.baud == 0 {
		c.baud = 115200
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	// Offer what ser2net offers: SGA and BINARY both ways, and ask the
	// client to send COM-PORT-OPTION commands.
	offer := c.neg.offer(nil, optBinary, optSGA)
	c.neg.them[optComPort] = true
	offer = appendNeg(offer, do, optComPort)
	if err := c.write(offer); err != nil {
		conn.Close()
		return err
	}

	lineDone := make(chan struct{})
	go func() {
		defer close(lineDone)
		// Both buffers live as long as the session: the line's bytes
		// cost no allocation on their way to the client, so a board
		// twin's allocation count is the firmware's own.
		buf := make([]byte, 4096)
		out := make([]byte, 0, 2*len(buf))
		for {
			n, err := s.Line.Read(buf)
			if n > 0 {
				out = appendData(out[:0], buf[:n])
				if werr := c.write(out); werr != nil {
					return
				}
			}
			if err != nil {
				// The device is gone: end the session.
				conn.Close()
				return
			}
		}
	}()

	err := c.readLoop()
	conn.Close()
	if d, ok := s.Line.(interface{ SetReadDeadline(time.Time) error }); ok {
		if d.SetReadDeadline(time.Unix(1, 0)) == nil {
			<-lineDone
			d.SetReadDeadline(time.Time{})
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrClosedPipe) {
		return nil
	}
	return err
}

func (c *serverConn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.conn.Write(b)
	return err
}

func (c *serverConn) readLoop() error {
	var (
		dec  decoder
		data []byte
		evs  []event
		in   = make([]byte, 4096)
	)
	for {
		n, err := c.conn.Read(in)
		data, evs = dec.decode(in[:n], data[:0], evs[:0])
		// Data and commands reach the Line in stream order: the data
		// before a command is written before the command's setter runs.
		off := 0
		var reply []byte
		for _, ev := range evs {
			if werr := c.lineWrite(data[off:ev.at]); werr != nil {
				return werr
			}
			off = ev.at
			if ev.kind != sb {
				reply = c.neg.handle(reply, ev.kind, ev.opt)
				continue
			}
			if ev.opt == optComPort && len(ev.payload) > 0 {
				// Answer each command before the next one runs, so the
				// client sees each setter's result as soon as it is done.
				reply = c.command(reply, ev.payload[0], ev.payload[1:])
				if werr := c.write(reply); werr != nil {
					return werr
				}
				reply = reply[:0]
			}
		}
		if len(reply) > 0 {
			if werr := c.write(reply); werr != nil {
				return werr
			}
		}
		if werr := c.lineWrite(data[off:]); werr != nil {
			return werr
		}
		if err != nil {
			return err
		}
	}
}

func (c *serverConn) lineWrite(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if _, err := c.s.Line.Write(b); err != nil {
		return fmt.Errorf("rfc2217: line: %w", err)
	}
	return nil
}

// command runs one client command and appends the answer.
func (c *serverConn) command(reply []byte, code byte, val []byte) []byte {
	answer := func(v ...byte) []byte {
		return appendSubneg(reply, optComPort, append([]byte{code + serverOffset}, v...))
	}
	switch code {
	case cmdSignature:
		if len(val) == 0 {
			return answer([]byte(Signature)...)
		}
		return reply // the client's own signature: noted, not answered
	case cmdSetBaudRate:
		if len(val) == 4 {
			if b := int(binary.BigEndian.Uint32(val)); b > 0 && c.s.Line.SetBaudRate(b) == nil {
				c.baud = b
			}
		}
		return answer(binary.BigEndian.AppendUint32(nil, uint32(c.baud))...)
	case cmdSetDataSize:
		return answer(8)
	case cmdSetParity:
		return answer(1) // NONE
	case cmdSetStopSize:
		return answer(1) // 1 stop bit
	case cmdSetControl:
		if len(val) != 1 {
			return reply
		}
		return answer(c.control(val[0]))
	case cmdSetLineMask, cmdSetModemMask, cmdPurgeData:
		if len(val) != 1 {
			return reply
		}
		if code == cmdPurgeData {
			if p, ok := c.s.Line.(Purger); ok && val[0] >= 1 && val[0] <= 3 {
				p.Purge(val[0]&1 != 0, val[0]&2 != 0) // the answer echoes the request either way
			}
		}
		return answer(val[0])
	default: // FLOWCONTROL-SUSPEND/RESUME and unknown codes: no answer
		return reply
	}
}

// control runs one SET-CONTROL value and returns the value to answer.
func (c *serverConn) control(v byte) byte {
	state := func(on bool, onVal, offVal byte) byte {
		if on {
			return onVal
		}
		return offVal
	}
	switch v {
	case ctlDTROn, ctlDTROff:
		if c.s.Line.SetDTR(v == ctlDTROn) == nil {
			c.dtr = v == ctlDTROn
		}
		return state(c.dtr, ctlDTROn, ctlDTROff)
	case ctlDTRRequest:
		return state(c.dtr, ctlDTROn, ctlDTROff)
	case ctlRTSOn, ctlRTSOff:
		if c.s.Line.SetRTS(v == ctlRTSOn) == nil {
			c.rts = v == ctlRTSOn
		}
		return state(c.rts, ctlRTSOn, ctlRTSOff)
	case ctlRTSRequest:
		return state(c.rts, ctlRTSOn, ctlRTSOff)
	case 4, 5, 6: // BREAK request/on/off
		return ctlBreakOff
	case 13, 14, 15, 16, 17, 18, 19: // inbound flow control
		return ctlInFlowNone
	default: // outbound flow control 0..3 and unknown values
		return ctlFlowNone
	}
}
