package esprom

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Command is a ROM loader command code.
type Command uint8

// Command codes of the ESP32-C3 ROM serial loader.
const (
	FlashBegin      Command = 0x02
	FlashData       Command = 0x03
	FlashEnd        Command = 0x04
	MemBegin        Command = 0x05
	MemEnd          Command = 0x06
	MemData         Command = 0x07
	Sync            Command = 0x08
	WriteReg        Command = 0x09
	ReadReg         Command = 0x0A
	SPISetParams    Command = 0x0B
	SPIAttach       Command = 0x0D
	ChangeBaudrate  Command = 0x0F
	FlashDeflBegin  Command = 0x10
	FlashDeflData   Command = 0x11
	FlashDeflEnd    Command = 0x12
	SPIFlashMD5     Command = 0x13
	GetSecurityInfo Command = 0x14
)

var commandNames = map[Command]string{
	FlashBegin:      "FLASH_BEGIN",
	FlashData:       "FLASH_DATA",
	FlashEnd:        "FLASH_END",
	MemBegin:        "MEM_BEGIN",
	MemEnd:          "MEM_END",
	MemData:         "MEM_DATA",
	Sync:            "SYNC",
	WriteReg:        "WRITE_REG",
	ReadReg:         "READ_REG",
	SPISetParams:    "SPI_SET_PARAMS",
	SPIAttach:       "SPI_ATTACH",
	ChangeBaudrate:  "CHANGE_BAUDRATE",
	FlashDeflBegin:  "FLASH_DEFL_BEGIN",
	FlashDeflData:   "FLASH_DEFL_DATA",
	FlashDeflEnd:    "FLASH_DEFL_END",
	SPIFlashMD5:     "SPI_FLASH_MD5",
	GetSecurityInfo: "GET_SECURITY_INFO",
}

// String returns the command's name as esptool's documentation spells it.
func (c Command) String() string {
	if n, ok := commandNames[c]; ok {
		return n
	}
	return fmt.Sprintf("command 0x%02X", uint8(c))
}

// ChecksumSeed is the initial value of the data checksum.
const ChecksumSeed = 0xEF

// Checksum is the ROM's data checksum: 0xEF XOR every byte of data. It
// covers the payload of FLASH_DATA, FLASH_DEFL_DATA and MEM_DATA (the
// block, not the 16-byte header before it); other requests carry 0.
func Checksum(data []byte) uint32 {
	c := byte(ChecksumSeed)
	for _, b := range data {
		c ^= b
	}
	return uint32(c)
}

// Header sizes.
const (
	headerLen = 8 // direction, command, u16 size, u32 checksum/value
	// StatusLen is the number of status bytes at the end of a ROM
	// response (the stub loader sends 2).
	StatusLen = 4
)

// Request is a decoded host-to-chip packet (the Emulator's view).
type Request struct {
	Command  Command
	Checksum uint32
	Data     []byte
}

// EncodeRequest returns the unframed request packet: 0x00, command, u16
// data length, u32 checksum, data (little-endian).
func EncodeRequest(cmd Command, data []byte, checksum uint32) []byte {
	p := make([]byte, headerLen+len(data))
	p[0] = 0x00
	p[1] = byte(cmd)
	binary.LittleEndian.PutUint16(p[2:], uint16(len(data)))
	binary.LittleEndian.PutUint32(p[4:], checksum)
	copy(p[headerLen:], data)
	return p
}

// ErrMalformed reports a packet whose header or length does not hold up.
var ErrMalformed = errors.New("esprom: malformed packet")

// DecodeRequest parses an unframed request packet.
func DecodeRequest(p []byte) (Request, error) {
	if len(p) < headerLen {
		return Request{}, fmt.Errorf("%w: %d bytes, shorter than a header", ErrMalformed, len(p))
	}
	if p[0] != 0x00 {
		return Request{}, fmt.Errorf("%w: direction 0x%02X, want 0x00 (request)", ErrMalformed, p[0])
	}
	n := int(binary.LittleEndian.Uint16(p[2:]))
	if n != len(p)-headerLen {
		return Request{}, fmt.Errorf("%w: %s: size field %d, %d data bytes", ErrMalformed, Command(p[1]), n, len(p)-headerLen)
	}
	return Request{
		Command:  Command(p[1]),
		Checksum: binary.LittleEndian.Uint32(p[4:]),
		Data:     p[headerLen:],
	}, nil
}

// Response is a decoded chip-to-host packet.
type Response struct {
	Command Command // echo of the request's command
	Value   uint32  // READ_REG result; otherwise whatever the ROM puts there
	Data    []byte  // payload without the status bytes
	Status  byte    // 0 ok, 1 failure
	Code    ROMCode // error code when Status != 0
}

// Err returns nil for a successful response and a *ROMError otherwise.
func (r Response) Err() error {
	if r.Status == 0 {
		return nil
	}
	return &ROMError{Command: r.Command, Code: r.Code}
}

// EncodeResponse returns the unframed response packet: 0x01, command, u16
// size (data + 4 status bytes), u32 value, data, status, code, 0, 0.
func EncodeResponse(r Response) []byte {
	p := make([]byte, headerLen+len(r.Data)+StatusLen)
	p[0] = 0x01
	p[1] = byte(r.Command)
	binary.LittleEndian.PutUint16(p[2:], uint16(len(r.Data)+StatusLen))
	binary.LittleEndian.PutUint32(p[4:], r.Value)
	copy(p[headerLen:], r.Data)
	p[headerLen+len(r.Data)] = r.Status
	p[headerLen+len(r.Data)+1] = byte(r.Code)
	return p
}

// DecodeResponse parses an unframed ROM response packet (4 status bytes).
// A response that reports failure decodes without error; see Response.Err.
func DecodeResponse(p []byte) (Response, error) {
	if len(p) < headerLen {
		return Response{}, fmt.Errorf("%w: %d bytes, shorter than a header", ErrMalformed, len(p))
	}
	if p[0] != 0x01 {
		return Response{}, fmt.Errorf("%w: direction 0x%02X, want 0x01 (response)", ErrMalformed, p[0])
	}
	cmd := Command(p[1])
	n := int(binary.LittleEndian.Uint16(p[2:]))
	if n > len(p)-headerLen {
		return Response{}, fmt.Errorf("%w: %s: size field %d, only %d data bytes", ErrMalformed, cmd, n, len(p)-headerLen)
	}
	if n < StatusLen {
		return Response{}, fmt.Errorf("%w: %s: %d data bytes, no room for %d status bytes", ErrMalformed, cmd, n, StatusLen)
	}
	data := p[headerLen : headerLen+n]
	st := data[n-StatusLen:]
	return Response{
		Command: cmd,
		Value:   binary.LittleEndian.Uint32(p[4:]),
		Data:    data[:n-StatusLen],
		Status:  st[0],
		Code:    ROMCode(st[1]),
	}, nil
}

// ROMCode is an error code the ROM loader reports in a failed response. It
// is itself an error, so errors.Is(err, esprom.CodeChecksum) works on any
// error that wraps a *ROMError.
type ROMCode uint8

// ROM loader error codes (esptool serial protocol documentation).
const (
	CodeInvalidMessage ROMCode = 0x05 // received message is invalid (bad parameters or length; also unknown command)
	CodeFailedToAct    ROMCode = 0x06 // failed to act on received message
	CodeChecksum       ROMCode = 0x07 // invalid CRC (checksum) in message
	CodeFlashWrite     ROMCode = 0x08 // flash write error
	CodeFlashRead      ROMCode = 0x09 // flash read error
	CodeReadLength     ROMCode = 0x0A // flash read length error
	CodeDeflate        ROMCode = 0x0B // deflate error (compressed uploads)
)

var codeText = map[ROMCode]string{
	CodeInvalidMessage: "received message is invalid",
	CodeFailedToAct:    "failed to act on received message",
	CodeChecksum:       "checksum",
	CodeFlashWrite:     "flash write error",
	CodeFlashRead:      "flash read error",
	CodeReadLength:     "flash read length error",
	CodeDeflate:        "deflate error",
}

// Error returns e.g. "ROM error 0x07 (checksum)".
func (c ROMCode) Error() string {
	t, ok := codeText[c]
	if !ok {
		t = "unknown error"
	}
	return fmt.Sprintf("ROM error 0x%02x (%s)", uint8(c), t)
}

// ROMError is a failure status returned by the ROM for a command.
type ROMError struct {
	Command Command
	Code    ROMCode
}

// Error returns the code's message; callers add the command and block.
func (e *ROMError) Error() string { return e.Code.Error() }

// Unwrap returns the ROMCode, for errors.Is.
func (e *ROMError) Unwrap() error { return e.Code }
