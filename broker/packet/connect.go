package packet

// CONNECT flag bits (MQTT 3.1.1 section 3.1.2.3).
const (
	connectReserved     = 0x01
	connectCleanSession = 0x02
	connectWill         = 0x04
	connectWillQoSShift = 3
	connectWillRetain   = 0x20
	connectPassword     = 0x40
	connectUsername     = 0x80
)

// protocolName is the protocol name of MQTT 3.1.1 with its length prefix.
const protocolName = "\x00\x04MQTT"

// Type reports CONNECT.
func (Connect) Type() Type { return CONNECT }

// Append encodes the CONNECT onto dst. The will fields are written only
// when WillFlag is set, Username only with UsernameFlag and Password only
// with PasswordFlag. Any ProtocolLevel other than zero is written as given,
// so a client can announce a level the server must refuse.
func (p Connect) Append(dst []byte) ([]byte, error) {
	if err := p.check(); err != nil {
		return dst, wrap(CONNECT, err)
	}
	n := len(protocolName) + 4 + 2 + len(p.ClientID)
	if p.WillFlag {
		n += 2 + len(p.WillTopic) + 2 + len(p.WillMessage)
	}
	if p.UsernameFlag {
		n += 2 + len(p.Username)
	}
	if p.PasswordFlag {
		n += 2 + len(p.Password)
	}
	if n > MaxRemainingLength {
		return dst, wrap(CONNECT, ErrPacketTooLarge)
	}
	level := p.ProtocolLevel
	if level == 0 {
		level = 4
	}
	flags := byte(0)
	if p.CleanSession {
		flags |= connectCleanSession
	}
	if p.WillFlag {
		flags |= connectWill | byte(p.WillQoS)<<connectWillQoSShift
		if p.WillRetain {
			flags |= connectWillRetain
		}
	}
	if p.PasswordFlag {
		flags |= connectPassword
	}
	if p.UsernameFlag {
		flags |= connectUsername
	}
	dst = AppendHeader(dst, CONNECT, 0, n)
	dst = append(dst, protocolName...)
	dst = append(dst, level, flags)
	dst = AppendUint16(dst, p.KeepAlive)
	dst = AppendBytes(dst, p.ClientID)
	if p.WillFlag {
		dst = AppendBytes(dst, p.WillTopic)
		dst = AppendBytes(dst, p.WillMessage)
	}
	if p.UsernameFlag {
		dst = AppendBytes(dst, p.Username)
	}
	if p.PasswordFlag {
		dst = AppendBytes(dst, p.Password)
	}
	return dst, nil
}

// check applies to an outgoing CONNECT the rules decode applies to an
// incoming one.
func (p *Connect) check() error {
	if err := checkString(p.ClientID); err != nil {
		return err
	}
	if p.WillFlag {
		if p.WillQoS > 2 {
			return ErrInvalidQoS
		}
		if err := ValidTopicName(p.WillTopic); err != nil {
			return err
		}
		if len(p.WillMessage) > maxString {
			return ErrStringTooLong
		}
	} else if p.WillQoS != 0 || p.WillRetain {
		return ErrWillFlags
	}
	if p.PasswordFlag && !p.UsernameFlag {
		return ErrPasswordWithoutUser
	}
	if p.UsernameFlag {
		if err := checkString(p.Username); err != nil {
			return err
		}
	}
	if p.PasswordFlag && len(p.Password) > maxString {
		return ErrStringTooLong
	}
	return nil
}

// decode decodes the body of a CONNECT. The protocol name and level are
// checked before anything else, so that a server can answer an unsupported
// level with CONNACK return code 1 (MQTT-3.1.2-2).
func (p *Connect) decode(body []byte) error {
	*p = Connect{}
	name, rest, ok := readBytes(body)
	if !ok {
		return ErrMalformed
	}
	if string(name) != "MQTT" {
		return ErrProtocolName
	}
	// The level alone is enough to refuse a protocol this package does
	// not speak, whatever layout its later versions give the rest.
	if len(rest) >= 1 && rest[0] != 4 {
		return ErrProtocolLevel
	}
	if len(rest) < 4 {
		return ErrMalformed
	}
	p.ProtocolLevel = rest[0]
	flags := rest[1]
	p.KeepAlive = uint16(rest[2])<<8 | uint16(rest[3])
	rest = rest[4:]
	if flags&connectReserved != 0 {
		return ErrConnectReserved
	}
	p.CleanSession = flags&connectCleanSession != 0
	p.WillFlag = flags&connectWill != 0
	p.WillQoS = QoS(flags>>connectWillQoSShift) & 3
	p.WillRetain = flags&connectWillRetain != 0
	p.PasswordFlag = flags&connectPassword != 0
	p.UsernameFlag = flags&connectUsername != 0
	if p.WillQoS == 3 {
		return ErrInvalidQoS
	}
	if !p.WillFlag && (p.WillQoS != 0 || p.WillRetain) {
		return ErrWillFlags
	}
	if p.PasswordFlag && !p.UsernameFlag {
		return ErrPasswordWithoutUser
	}

	var err error
	if p.ClientID, rest, err = readString(rest); err != nil {
		return err
	}
	if p.WillFlag {
		if p.WillTopic, rest, ok = readBytes(rest); !ok {
			return ErrMalformed
		}
		if err := ValidTopicName(p.WillTopic); err != nil {
			return err
		}
		if p.WillMessage, rest, ok = readBytes(rest); !ok {
			return ErrMalformed
		}
	}
	if p.UsernameFlag {
		if p.Username, rest, err = readString(rest); err != nil {
			return err
		}
	}
	if p.PasswordFlag {
		if p.Password, rest, ok = readBytes(rest); !ok {
			return ErrMalformed
		}
	}
	if len(rest) != 0 {
		return ErrMalformed
	}
	return nil
}

// Type reports CONNACK.
func (Connack) Type() Type { return CONNACK }

// Append encodes the CONNACK onto dst.
func (p Connack) Append(dst []byte) ([]byte, error) {
	if p.ReturnCode > RefusedNotAuthorized {
		return dst, wrap(CONNACK, ErrConnackCode)
	}
	var ack byte
	if p.SessionPresent {
		ack = 1
	}
	return append(dst, byte(CONNACK)<<4, 2, ack, byte(p.ReturnCode)), nil
}

// decode decodes the body of a CONNACK. It does not enforce that a refusal
// clears SessionPresent (MQTT-3.2.2-4): that is the server's duty, which a
// conformance test wants to observe rather than have hidden by the codec.
func (p *Connack) decode(body []byte) error {
	if len(body) != 2 {
		return ErrMalformed
	}
	if body[0]&^1 != 0 {
		return ErrConnackReserved
	}
	if body[1] > byte(RefusedNotAuthorized) {
		return ErrConnackCode
	}
	p.SessionPresent = body[0] == 1
	p.ReturnCode = ConnackCode(body[1])
	return nil
}
