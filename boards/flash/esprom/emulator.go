package esprom

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"sync"
)

// EmulatorOptions configure an Emulator. Zero fields take the defaults.
type EmulatorOptions struct {
	FlashSize   int              // emulated flash in bytes (default 4 MiB)
	MAC         net.HardwareAddr // factory MAC in eFuse (default 60:55:f9:00:00:01)
	SyncReplies int              // answers per SYNC (default 8, as the ROM)
	ECO         uint32           // eco version in GET_SECURITY_INFO (default 3)
	// ChipID is the chip id GET_SECURITY_INFO reports (default
	// ChipIDESP32C3), so that a flasher's refusal of another chip can be
	// tested; the registers stay the ESP32-C3's.
	ChipID uint32
	// RefuseSecurityInfo makes GET_SECURITY_INFO fail as an unknown
	// command, as on ROMs that predate it.
	RefuseSecurityInfo bool
	// OnEnd is called, from Serve's goroutine after the answer is sent,
	// on FLASH_END or FLASH_DEFL_END.
	OnEnd func(EndEvent)
	// OnBaud is called, from Serve's goroutine after the answer is sent,
	// on CHANGE_BAUDRATE with the new rate: the ROM's UART moves to it.
	OnBaud func(baud int)
}

// EndEvent reports a FLASH_END or FLASH_DEFL_END.
type EndEvent struct {
	Command Command
	Reboot  bool // payload 0: reboot; 1: run user code
}

// Region is a span of flash written by a FLASH_BEGIN or FLASH_DEFL_BEGIN
// transfer that completed (all its blocks received).
type Region struct {
	Offset, Size int
	Compressed   bool
}

// Emulator is the ROM side of the ESP32-C3 serial loader, for tests and
// board twins. It keeps an emulated SPI flash (erased to 0xFF) across
// Serve calls, so a twin can reconnect or boot what was written.
//
// It answers SYNC, READ_REG (chip magic, eFuse MAC words; other addresses
// read what WRITE_REG left, else 0), WRITE_REG (the watchdog registers
// honour their write protection), CHANGE_BAUDRATE (OnBaud),
// GET_SECURITY_INFO (chip id 5), SPI_ATTACH, SPI_SET_PARAMS,
// FLASH_BEGIN/DATA/END, FLASH_DEFL_BEGIN/DATA/END and SPI_FLASH_MD5. Any
// other command fails with ROM error 0x05, as the ROM answers unknown
// commands. Its own policy where the real ROM's behaviour is not
// documented: flash commands before SPI_ATTACH fail with 0x06; a wrong
// length, block size or sequence number fails with 0x05; a range past the
// end of flash fails with 0x06. It checks FLASH_DATA and FLASH_DEFL_DATA
// checksums (0x07 on mismatch). A compressed transfer is inflated when its
// last block arrives (0x0b if the stream is bad). Writes AND into flash as
// NOR flash does; BEGIN erases whole 4 KiB sectors.
type Emulator struct {
	opts EmulatorOptions

	mu       sync.Mutex
	regs     map[uint32]uint32 // written by WRITE_REG
	flash    []byte
	regions  []Region
	attached bool
	params   FlashParams

	// the transfer in progress
	xfer *transfer
}

type transfer struct {
	compressed bool
	offset     int
	erase      int
	blocks     int
	blockSize  int
	next       int
	comp       bytes.Buffer
}

// NewEmulator returns an Emulator with erased flash.
func NewEmulator(opts EmulatorOptions) *Emulator {
	if opts.FlashSize <= 0 {
		opts.FlashSize = 4 << 20
	}
	if len(opts.MAC) != 6 {
		opts.MAC = net.HardwareAddr{0x60, 0x55, 0xf9, 0x00, 0x00, 0x01}
	}
	if opts.SyncReplies <= 0 {
		opts.SyncReplies = 8
	}
	if opts.ECO == 0 {
		opts.ECO = 3
	}
	if opts.ChipID == 0 {
		opts.ChipID = ChipIDESP32C3
	}
	return &Emulator{opts: opts, flash: bytes.Repeat([]byte{0xFF}, opts.FlashSize), regs: map[uint32]uint32{}}
}

// Flash returns a copy of the emulated flash.
func (e *Emulator) Flash() []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return bytes.Clone(e.flash)
}

// Regions returns the completed writes, oldest first.
func (e *Emulator) Regions() []Region {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Region(nil), e.regions...)
}

// Serve answers requests on rw until reading fails (io.EOF when the host
// closes) or ctx is done (checked between frames; close rw to interrupt a
// blocked read). Frames that do not decode as requests are ignored, as
// the ROM ignores noise.
func (e *Emulator) Serve(ctx context.Context, rw io.ReadWriter) error {
	fr := NewFrameReader(rw)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := fr.ReadFrame()
		if err != nil {
			if errors.Is(err, ErrBadEscape) || errors.Is(err, ErrFrameTooLong) {
				continue
			}
			return err
		}
		req, err := DecodeRequest(f)
		if err != nil {
			if len(f) >= 2 && f[0] == 0x00 {
				// A request with a bad length: answer as the ROM does.
				if _, err := rw.Write(EncodeSLIP(EncodeResponse(Response{Command: Command(f[1]), Status: 1, Code: CodeInvalidMessage}))); err != nil {
					return err
				}
			}
			continue
		}
		resp, repeat, end := e.handle(req)
		baud := 0
		if req.Command == ChangeBaudrate && resp.Status == 0 {
			baud = int(binary.LittleEndian.Uint32(req.Data))
		}
		pkt := EncodeSLIP(EncodeResponse(resp))
		for range repeat {
			if _, err := rw.Write(pkt); err != nil {
				return err
			}
		}
		if end != nil && e.opts.OnEnd != nil {
			e.opts.OnEnd(*end)
		}
		if baud > 0 && e.opts.OnBaud != nil {
			e.opts.OnBaud(baud)
		}
	}
}

func fail(cmd Command, code ROMCode) Response {
	return Response{Command: cmd, Status: 1, Code: code}
}

// handle answers one request: the response, how many times to send it,
// and an end event if the request was FLASH_END/FLASH_DEFL_END.
func (e *Emulator) handle(req Request) (Response, int, *EndEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cmd, d := req.Command, req.Data
	ok := Response{Command: cmd}
	word := func(i int) uint32 { return binary.LittleEndian.Uint32(d[4*i:]) }
	switch cmd {
	case Sync:
		if !bytes.Equal(d, syncData) {
			return fail(cmd, CodeInvalidMessage), 1, nil
		}
		// The docs say Value is zero except for READ_REG, but esptool
		// tells the ROM (non-zero) from its stub (zero) by SYNC's value.
		ok.Value = 0x20120707
		return ok, e.opts.SyncReplies, nil
	case ReadReg:
		if len(d) != 4 {
			return fail(cmd, CodeInvalidMessage), 1, nil
		}
		ok.Value = e.readReg(word(0))
		return ok, 1, nil
	case WriteReg:
		if len(d) == 0 || len(d)%16 != 0 {
			return fail(cmd, CodeInvalidMessage), 1, nil
		}
		for i := 0; i < len(d)/4; i += 4 { // addr, value, mask, delay
			addr, val, mask := word(i), word(i+1), word(i+2)
			if addr == RTCWDTConfig0 && e.regs[RTCWDTProtect] != RTCWDTKey ||
				addr == RTCSWDConf && e.regs[RTCSWDProtect] != RTCSWDKey {
				continue // write-protected: the hardware ignores it
			}
			e.regs[addr] = e.regs[addr]&^mask | val&mask
		}
		return ok, 1, nil
	case ChangeBaudrate:
		if len(d) != 8 || word(0) == 0 {
			return fail(cmd, CodeInvalidMessage), 1, nil
		}
		return ok, 1, nil
	case GetSecurityInfo:
		if e.opts.RefuseSecurityInfo || len(d) != 0 {
			return fail(cmd, CodeInvalidMessage), 1, nil
		}
		info := make([]byte, 20) // flags, crypt cnt, key purposes: all 0
		binary.LittleEndian.PutUint32(info[12:], e.opts.ChipID)
		binary.LittleEndian.PutUint32(info[16:], e.opts.ECO)
		ok.Data = info
		return ok, 1, nil
	case SPIAttach:
		if len(d) != 8 {
			return fail(cmd, CodeInvalidMessage), 1, nil
		}
		e.attached = true
		return ok, 1, nil
	case SPISetParams:
		if len(d) != 24 {
			return fail(cmd, CodeInvalidMessage), 1, nil
		}
		e.params = FlashParams{word(0), word(1), word(2), word(3), word(4), word(5)}
		return ok, 1, nil
	case FlashBegin, FlashDeflBegin:
		return e.begin(req), 1, nil
	case FlashData, FlashDeflData:
		return e.data(req), 1, nil
	case FlashEnd, FlashDeflEnd:
		if len(d) != 4 || word(0) > 1 {
			return fail(cmd, CodeInvalidMessage), 1, nil
		}
		e.xfer = nil
		return ok, 1, &EndEvent{Command: cmd, Reboot: word(0) == 0}
	case SPIFlashMD5:
		if len(d) != 16 {
			return fail(cmd, CodeInvalidMessage), 1, nil
		}
		if !e.attached {
			return fail(cmd, CodeFailedToAct), 1, nil
		}
		off, n := int(word(0)), int(word(1))
		if off < 0 || n < 0 || off > len(e.flash) || n > len(e.flash)-off {
			return fail(cmd, CodeFailedToAct), 1, nil
		}
		sum := md5.Sum(e.flash[off : off+n])
		ok.Data = []byte(hex.EncodeToString(sum[:]))
		return ok, 1, nil
	default:
		return fail(cmd, CodeInvalidMessage), 1, nil
	}
}

func (e *Emulator) readReg(addr uint32) uint32 {
	m := e.opts.MAC
	switch addr {
	case ChipMagicReg:
		return esp32c3Magic[1]
	case MACEfuseReg:
		return binary.BigEndian.Uint32(m[2:6])
	case MACEfuseReg + 4:
		return uint32(m[0])<<8 | uint32(m[1])
	}
	return e.regs[addr]
}

// Watchdogs reports whether the RTC watchdog runs and whether the super
// watchdog needs feeding, as WRITE_REGs left them (both true at reset).
func (e *Emulator) Watchdogs() (rtc, super bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	wdt, wok := e.regs[RTCWDTConfig0]
	swd := e.regs[RTCSWDConf]
	return !wok || wdt != 0, swd&RTCSWDAutoFeedEn == 0
}

const sectorSize = 4 << 10

func (e *Emulator) begin(req Request) Response {
	cmd, d := req.Command, req.Data
	if len(d) != 16 && len(d) != 20 {
		return fail(cmd, CodeInvalidMessage)
	}
	if !e.attached {
		return fail(cmd, CodeFailedToAct)
	}
	w := func(i int) int { return int(binary.LittleEndian.Uint32(d[4*i:])) }
	t := &transfer{compressed: cmd == FlashDeflBegin, erase: w(0), blocks: w(1), blockSize: w(2), offset: w(3)}
	if t.blockSize <= 0 || t.blockSize > BlockSize*16 || t.erase < 0 || t.blocks < 0 {
		return fail(cmd, CodeInvalidMessage)
	}
	if t.offset < 0 || t.offset > len(e.flash) || t.erase > len(e.flash)-t.offset {
		return fail(cmd, CodeFailedToAct)
	}
	if t.erase > 0 {
		lo := t.offset / sectorSize * sectorSize
		hi := min(len(e.flash), (t.offset+t.erase+sectorSize-1)/sectorSize*sectorSize)
		for i := lo; i < hi; i++ {
			e.flash[i] = 0xFF
		}
	}
	e.xfer = t
	return Response{Command: cmd}
}

func (e *Emulator) data(req Request) Response {
	cmd, d := req.Command, req.Data
	t := e.xfer
	if t == nil || t.compressed != (cmd == FlashDeflData) {
		return fail(cmd, CodeInvalidMessage)
	}
	if len(d) < 16 {
		return fail(cmd, CodeInvalidMessage)
	}
	n := int(binary.LittleEndian.Uint32(d[0:]))
	seq := int(binary.LittleEndian.Uint32(d[4:]))
	blk := d[16:]
	if n != len(blk) || seq != t.next || seq >= t.blocks {
		return fail(cmd, CodeInvalidMessage)
	}
	if (!t.compressed && n != t.blockSize) || (t.compressed && (n == 0 || n > t.blockSize)) {
		return fail(cmd, CodeInvalidMessage)
	}
	if Checksum(blk) != req.Checksum {
		return fail(cmd, CodeChecksum)
	}
	if !t.compressed {
		if !e.program(t.offset+seq*t.blockSize, blk) {
			return fail(cmd, CodeFlashWrite)
		}
		t.next++
		if t.next == t.blocks {
			e.regions = append(e.regions, Region{Offset: t.offset, Size: t.blocks * t.blockSize})
		}
		return Response{Command: cmd}
	}
	t.comp.Write(blk)
	t.next++
	if t.next < t.blocks {
		return Response{Command: cmd}
	}
	zr, err := zlib.NewReader(bytes.NewReader(t.comp.Bytes()))
	if err != nil {
		return fail(cmd, CodeDeflate)
	}
	// Inflate no more than the erased size allows (+1 to notice more).
	out, err := io.ReadAll(io.LimitReader(zr, int64(t.erase)+1))
	if err != nil {
		return fail(cmd, CodeDeflate)
	}
	if len(out) > t.erase {
		return fail(cmd, CodeDeflate)
	}
	if !e.program(t.offset, out) {
		return fail(cmd, CodeFlashWrite)
	}
	e.regions = append(e.regions, Region{Offset: t.offset, Size: len(out), Compressed: true})
	return Response{Command: cmd}
}

// program writes b at off the way NOR flash does: bits only go 1 -> 0.
func (e *Emulator) program(off int, b []byte) bool {
	if off < 0 || off > len(e.flash) || len(b) > len(e.flash)-off {
		return false
	}
	for i, v := range b {
		e.flash[off+i] &= v
	}
	return true
}
