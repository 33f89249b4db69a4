package packet

// Type is the control packet type carried in the high nibble of the first
// fixed-header byte.
type Type byte

// Control packet types (MQTT 3.1.1 section 2.2.1).
const (
	CONNECT     Type = 1
	CONNACK     Type = 2
	PUBLISH     Type = 3
	PUBACK      Type = 4
	PUBREC      Type = 5
	PUBREL      Type = 6
	PUBCOMP     Type = 7
	SUBSCRIBE   Type = 8
	SUBACK      Type = 9
	UNSUBSCRIBE Type = 10
	UNSUBACK    Type = 11
	PINGREQ     Type = 12
	PINGRESP    Type = 13
	DISCONNECT  Type = 14
)

// QoS is a quality-of-service level: 0, 1 or 2.
type QoS byte

// ConnackCode is the CONNACK return code (MQTT 3.1.1 section 3.2.2.3).
type ConnackCode byte

// CONNACK return codes.
const (
	Accepted                   ConnackCode = 0
	RefusedProtocolVersion     ConnackCode = 1
	RefusedIdentifierRejected  ConnackCode = 2
	RefusedServerUnavailable   ConnackCode = 3
	RefusedBadUsernamePassword ConnackCode = 4
	RefusedNotAuthorized       ConnackCode = 5
)

// SubackFailure is the SUBACK return code for a refused filter.
const SubackFailure byte = 0x80

// Packet is any decoded or to-be-encoded control packet. A Decoder hands
// out pointers, such as *Publish, so type switches on decoded packets use
// pointer types. The methods have value receivers, so that a packet written
// as a literal encodes directly: Puback{PacketID: 1}.Append(buf).
type Packet interface {
	// Type reports the control packet type.
	Type() Type
	// Append encodes the packet, fixed header included, onto dst.
	Append(dst []byte) ([]byte, error)
}

// Connect is the CONNECT packet. Byte slices alias the decoded buffer.
type Connect struct {
	ProtocolLevel byte // 4 for MQTT 3.1.1; Append writes 4 when zero
	CleanSession  bool
	KeepAlive     uint16 // seconds
	ClientID      []byte

	WillFlag    bool
	WillQoS     QoS
	WillRetain  bool
	WillTopic   []byte
	WillMessage []byte

	UsernameFlag bool
	Username     []byte
	PasswordFlag bool
	Password     []byte
}

// Connack is the CONNACK packet.
type Connack struct {
	SessionPresent bool
	ReturnCode     ConnackCode
}

// Publish is the PUBLISH packet. PacketID is present only when QoS > 0.
type Publish struct {
	Dup      bool
	QoS      QoS
	Retain   bool
	Topic    []byte
	PacketID uint16
	Payload  []byte
}

// Puback acknowledges a QoS 1 PUBLISH.
type Puback struct{ PacketID uint16 }

// Pubrec is the first acknowledgement of a QoS 2 PUBLISH.
type Pubrec struct{ PacketID uint16 }

// Pubrel releases a QoS 2 PUBLISH; its fixed-header flags are 0010.
type Pubrel struct{ PacketID uint16 }

// Pubcomp completes a QoS 2 exchange.
type Pubcomp struct{ PacketID uint16 }

// Filter is one topic filter of a SUBSCRIBE with its requested QoS, as
// FilterIter yields it and NewSubscribe takes it.
type Filter struct {
	Topic []byte
	QoS   QoS
}

// Subscribe is the SUBSCRIBE packet. Its filters stay in Payload as they
// travel, each a length-prefixed topic filter followed by its requested
// QoS byte: a decoded packet's Payload aliases the decoded buffer, so a
// SUBSCRIBE takes no storage of its own however many filters it carries.
// Iter walks them; NewSubscribe encodes a list of them for sending.
type Subscribe struct {
	PacketID uint16
	Payload  []byte // the encoded filters, each with its requested QoS

	err error // a filter NewSubscribe could not encode, for Append to report
}

// Suback is the SUBACK packet: one return code per requested filter, the
// granted QoS or SubackFailure.
type Suback struct {
	PacketID    uint16
	ReturnCodes []byte
}

// Unsubscribe is the UNSUBSCRIBE packet. Its filters stay in Payload as
// those of a Subscribe do, each a length-prefixed topic filter. Iter walks
// them; NewUnsubscribe encodes a list of them for sending.
type Unsubscribe struct {
	PacketID uint16
	Payload  []byte // the encoded filters

	err error // a filter NewUnsubscribe could not encode, for Append to report
}

// Unsuback acknowledges an UNSUBSCRIBE.
type Unsuback struct{ PacketID uint16 }

// Pingreq is the PINGREQ packet.
type Pingreq struct{}

// Pingresp is the PINGRESP packet.
type Pingresp struct{}

// Disconnect is the DISCONNECT packet.
type Disconnect struct{}

var typeNames = [16]string{
	"reserved type 0", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
	"SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "reserved type 15",
}

// String returns the name the standard uses for t, such as "PUBLISH".
func (t Type) String() string {
	if t > 15 {
		return "invalid type"
	}
	return typeNames[t]
}
