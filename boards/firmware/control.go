package firmware

import (
	"encoding/binary"
	"errors"
)

// The control stream carries messages, each
//
//	type u8 | length u16 (LE) | body
//
// A body is a list of fields, each id u8 | length u8 | value, where numbers
// are little-endian u64 and strings are bytes. A reader skips fields it
// does not know, so either side can add fields without breaking the
// other.
type msgType uint8

const (
	msgHelloRequest msgType = iota + 1 // host → board
	msgHello                           // board → host: Hello
	msgStatsRequest                    // host → board
	msgStats                           // board → host: Stats
	msgLog                             // board → host: one log line
	msgReset                           // host → board: body u8, ResetMode
)

// maxMessage bounds a control message body; longer ones are skipped.
const maxMessage = 512

// ResetMode says what a reset request asks the board to do.
type ResetMode uint8

const (
	// Reboot restarts the firmware.
	Reboot ResetMode = iota
	// Bootloader restarts into the chip's ROM loader (BOOTSEL on the
	// RP2040) so that a new image can be flashed.
	Bootloader
)

// ErrMessage reports a control message that cannot be read.
var ErrMessage = errors.New("firmware: malformed control message")

// Hello is what a board says about itself.
type Hello struct {
	Board, Chip, Version, BuildID string
	// Platform says what runs the firmware: "tinygo" on a board, "go
	// twin" for cmd/gatomqtt-twin, so that a report never passes a twin
	// off as hardware. Field id 5; a firmware older than the field sends
	// none and reads as "", and a host older than it skips the field
	// (walkFields passes id 5 to a decoder that knows no such string and
	// no such number).
	Platform string
	// PSKIdentity is the identity of the pre-shared key the firmware
	// serves MQTT over TLS-PSK with, on any stream that opens with a TLS
	// handshake record; "" when it serves none (the TinyGo images: the
	// TLS stack does not fit a Pico's RAM). The key is never sent: the
	// host must have it from where the firmware got it. Field id 6; older
	// firmware sends none, and older hosts skip it as they skip id 5.
	PSKIdentity string
	// Limits are the broker limits the firmware runs with, the ones that
	// decide which specs a target can run.
	MaxSessions, MaxConnections, MaxSubscriptions, MaxInflight, MaxQueued   uint64
	MaxMessages, MaxRetained, MaxTopicLength, MaxPayloadSize, MaxPacketSize uint64
	StateBytes, LinkBytes                                                   uint64
}

// Stats is what a board measures about itself. Heap figures come from the
// runtime the firmware was built with (TinyGo's on a board), read just
// after a collection, so HeapInUse is the live heap.
type Stats struct {
	UptimeMillis                       uint64
	HeapInUse, HeapSys, Mallocs, Frees uint64
	TotalAlloc                         uint64
	StateBytes, LinkBytes              uint64
	Connections, Sessions, Retained    uint64
	MessagesIn, MessagesOut, Dropped   uint64
	ConnectionsRefused, ProtocolErrors uint64
	LinkRetransmits, LinkBadCRC        uint64
	LinkMalformed, LinkPeerResets      uint64
	LogsDropped                        uint64
}

type numField[T any] struct {
	id  uint8
	get func(*T) *uint64
}

var helloNums = []numField[Hello]{
	{16, func(h *Hello) *uint64 { return &h.MaxSessions }},
	{17, func(h *Hello) *uint64 { return &h.MaxConnections }},
	{18, func(h *Hello) *uint64 { return &h.MaxSubscriptions }},
	{19, func(h *Hello) *uint64 { return &h.MaxInflight }},
	{20, func(h *Hello) *uint64 { return &h.MaxQueued }},
	{21, func(h *Hello) *uint64 { return &h.MaxMessages }},
	{22, func(h *Hello) *uint64 { return &h.MaxRetained }},
	{23, func(h *Hello) *uint64 { return &h.MaxTopicLength }},
	{24, func(h *Hello) *uint64 { return &h.MaxPayloadSize }},
	{25, func(h *Hello) *uint64 { return &h.MaxPacketSize }},
	{26, func(h *Hello) *uint64 { return &h.StateBytes }},
	{27, func(h *Hello) *uint64 { return &h.LinkBytes }},
}

var statsNums = []numField[Stats]{
	{1, func(s *Stats) *uint64 { return &s.UptimeMillis }},
	{2, func(s *Stats) *uint64 { return &s.HeapInUse }},
	{3, func(s *Stats) *uint64 { return &s.HeapSys }},
	{4, func(s *Stats) *uint64 { return &s.Mallocs }},
	{5, func(s *Stats) *uint64 { return &s.Frees }},
	{6, func(s *Stats) *uint64 { return &s.TotalAlloc }},
	{7, func(s *Stats) *uint64 { return &s.StateBytes }},
	{8, func(s *Stats) *uint64 { return &s.LinkBytes }},
	{9, func(s *Stats) *uint64 { return &s.Connections }},
	{10, func(s *Stats) *uint64 { return &s.Sessions }},
	{11, func(s *Stats) *uint64 { return &s.Retained }},
	{12, func(s *Stats) *uint64 { return &s.MessagesIn }},
	{13, func(s *Stats) *uint64 { return &s.MessagesOut }},
	{14, func(s *Stats) *uint64 { return &s.Dropped }},
	{15, func(s *Stats) *uint64 { return &s.ConnectionsRefused }},
	{16, func(s *Stats) *uint64 { return &s.ProtocolErrors }},
	{17, func(s *Stats) *uint64 { return &s.LinkRetransmits }},
	{18, func(s *Stats) *uint64 { return &s.LinkBadCRC }},
	{19, func(s *Stats) *uint64 { return &s.LinkMalformed }},
	{20, func(s *Stats) *uint64 { return &s.LinkPeerResets }},
	{21, func(s *Stats) *uint64 { return &s.LogsDropped }},
}

// helloStrs are the string fields of a Hello, field ids 1 to 6 in order.
func helloStrs(h *Hello) [6]*string {
	return [6]*string{&h.Board, &h.Chip, &h.Version, &h.BuildID, &h.Platform, &h.PSKIdentity}
}

// appendMessage appends a message of type t whose body is body(b).
func appendMessage(b []byte, t msgType, body func([]byte) []byte) []byte {
	start := len(b)
	b = append(b, byte(t), 0, 0)
	if body != nil {
		b = body(b)
	}
	binary.LittleEndian.PutUint16(b[start+1:], uint16(len(b)-start-3))
	return b
}

func appendNums[T any](b []byte, v *T, fields []numField[T]) []byte {
	for _, f := range fields {
		b = append(b, f.id, 8)
		b = binary.LittleEndian.AppendUint64(b, *f.get(v))
	}
	return b
}

// AppendBinary appends h as the body of a Hello message.
func (h *Hello) AppendBinary(b []byte) ([]byte, error) {
	for i, s := range helloStrs(h) {
		n := min(len(*s), 255)
		b = append(b, uint8(i+1), uint8(n))
		b = append(b, (*s)[:n]...)
	}
	return appendNums(b, h, helloNums), nil
}

// AppendBinary appends s as the body of a Stats message.
func (s *Stats) AppendBinary(b []byte) ([]byte, error) { return appendNums(b, s, statsNums), nil }

// UnmarshalBinary reads a Hello message body.
func (h *Hello) UnmarshalBinary(b []byte) error {
	strs := helloStrs(h)
	return walkFields(b, func(id uint8, v []byte) {
		if id >= 1 && int(id) <= len(strs) {
			*strs[id-1] = string(v)
			return
		}
		setNum(h, helloNums, id, v)
	})
}

// UnmarshalBinary reads a Stats message body.
func (s *Stats) UnmarshalBinary(b []byte) error {
	return walkFields(b, func(id uint8, v []byte) { setNum(s, statsNums, id, v) })
}

func setNum[T any](v *T, fields []numField[T], id uint8, b []byte) {
	if len(b) != 8 {
		return
	}
	for _, f := range fields {
		if f.id == id {
			*f.get(v) = binary.LittleEndian.Uint64(b)
		}
	}
}

func walkFields(b []byte, field func(id uint8, v []byte)) error {
	for len(b) > 0 {
		if len(b) < 2 || len(b) < 2+int(b[1]) {
			return ErrMessage
		}
		field(b[0], b[2:2+b[1]])
		b = b[2+b[1]:]
	}
	return nil
}
