package rfc2217

// Telnet (RFC 854) bytes used here.
const (
	se   = 240 // end of subnegotiation
	sb   = 250 // begin subnegotiation
	will = 251
	wont = 252
	do   = 253
	dont = 254
	iac  = 255 // interpret as command

	optBinary  = 0  // RFC 856
	optEcho    = 1  // RFC 857
	optSGA     = 3  // suppress go-ahead, RFC 858
	optComPort = 44 // RFC 2217
)

// maxSubneg bounds the payload of one subnegotiation; longer ones are
// cut (the bytes beyond are dropped) so that a peer cannot grow memory.
const maxSubneg = 512

// event is one Telnet command found in the stream: an option
// negotiation (kind is will, wont, do or dont) or a subnegotiation (kind
// is sb, payload holds the unescaped bytes between the option byte and
// IAC SE). at is len(data) when the event ended, so that a caller can
// interleave data and events in stream order.
type event struct {
	kind    byte
	opt     byte
	payload []byte
	at      int
}

type decodeState int

const (
	stData  decodeState = iota
	stIAC               // after IAC
	stOpt               // after IAC WILL/WONT/DO/DONT
	stSBOpt             // after IAC SB
	stSB                // inside a subnegotiation
	stSBIAC             // IAC inside a subnegotiation
)

// decoder splits a Telnet stream into data bytes and events. Its state
// carries over between calls, so a command may be split across reads at
// any byte.
type decoder struct {
	state decodeState
	cmd   byte
	opt   byte
	sb    []byte
}

// decode appends the data bytes of p to data and the complete events of
// p to evs.
func (d *decoder) decode(p, data []byte, evs []event) ([]byte, []event) {
	for _, b := range p {
		switch d.state {
		case stData:
			if b == iac {
				d.state = stIAC
			} else {
				data = append(data, b)
			}
		case stIAC:
			switch b {
			case iac: // escaped 0xFF data byte
				data = append(data, iac)
				d.state = stData
			case will, wont, do, dont:
				d.cmd = b
				d.state = stOpt
			case sb:
				d.state = stSBOpt
			default: // NOP, GA, AYT, a stray SE...: no data, ignored
				d.state = stData
			}
		case stOpt:
			evs = append(evs, event{kind: d.cmd, opt: b, at: len(data)})
			d.state = stData
		case stSBOpt:
			d.opt = b
			d.sb = d.sb[:0]
			d.state = stSB
		case stSB:
			if b == iac {
				d.state = stSBIAC
			} else if len(d.sb) < maxSubneg {
				d.sb = append(d.sb, b)
			}
		case stSBIAC:
			switch b {
			case iac:
				if len(d.sb) < maxSubneg {
					d.sb = append(d.sb, iac)
				}
				d.state = stSB
			case se:
				evs = append(evs, event{kind: sb, opt: d.opt, payload: append([]byte(nil), d.sb...), at: len(data)})
				d.state = stData
			default:
				// RFC 854 allows no other command here; end the
				// subnegotiation without reporting it and read on.
				d.state = stData
			}
		}
	}
	return data, evs
}

// appendData appends p to dst with every 0xFF doubled.
func appendData(dst, p []byte) []byte {
	for _, b := range p {
		if b == iac {
			dst = append(dst, iac)
		}
		dst = append(dst, b)
	}
	return dst
}

// appendNeg appends IAC cmd opt.
func appendNeg(dst []byte, cmd, opt byte) []byte {
	return append(dst, iac, cmd, opt)
}

// appendSubneg appends IAC SB opt payload IAC SE with 0xFF in payload
// doubled.
func appendSubneg(dst []byte, opt byte, payload []byte) []byte {
	dst = append(dst, iac, sb, opt)
	dst = appendData(dst, payload)
	return append(dst, iac, se)
}

// negotiator answers option negotiation as RFC 854 and RFC 1143 ask: it
// agrees to the options in accept (both directions) and refuses the
// others, and it answers a request only when the state changes, so that
// two peers never loop.
type negotiator struct {
	accept map[byte]bool
	us     map[byte]bool // options we perform (we said or agreed WILL)
	them   map[byte]bool // options the peer performs (we said or agreed DO)
}

func newNegotiator(opts ...byte) *negotiator {
	n := &negotiator{accept: map[byte]bool{}, us: map[byte]bool{}, them: map[byte]bool{}}
	for _, o := range opts {
		n.accept[o] = true
	}
	return n
}

// offer appends our own WILL and DO for every accepted option, marking
// them requested so that the peer's agreement is not answered again.
func (n *negotiator) offer(dst []byte, opts ...byte) []byte {
	for _, o := range opts {
		n.us[o] = true
		n.them[o] = true
		dst = appendNeg(dst, will, o)
		dst = appendNeg(dst, do, o)
	}
	return dst
}

// handle appends the answer, if any, to a WILL, WONT, DO or DONT.
func (n *negotiator) handle(dst []byte, cmd, opt byte) []byte {
	switch cmd {
	case will:
		if n.them[opt] {
			return dst
		}
		if n.accept[opt] {
			n.them[opt] = true
			return appendNeg(dst, do, opt)
		}
		return appendNeg(dst, dont, opt)
	case wont:
		if n.them[opt] {
			n.them[opt] = false
			return appendNeg(dst, dont, opt)
		}
	case do:
		if n.us[opt] {
			return dst
		}
		if n.accept[opt] {
			n.us[opt] = true
			return appendNeg(dst, will, opt)
		}
		return appendNeg(dst, wont, opt)
	case dont:
		if n.us[opt] {
			n.us[opt] = false
			return appendNeg(dst, wont, opt)
		}
	}
	return dst
}
