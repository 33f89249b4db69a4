package esprom

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Protocol constants for the ESP32-C3 ROM loader.
const (
	// BlockSize is the ROM's flash write block size.
	BlockSize = 0x400
	// ChipIDESP32C3 is the chip id GET_SECURITY_INFO reports on an ESP32-C3.
	ChipIDESP32C3 = 5
	// ChipMagicReg holds the chip detect magic (the READ_REG fallback).
	ChipMagicReg = 0x40001000
	// MACEfuseReg is the first of the two eFuse words holding the MAC.
	MACEfuseReg = 0x60008800 + 0x044
)

// ESP32-C3 chip detect magic values at ChipMagicReg.
var esp32c3Magic = []uint32{0x6921506F, 0x1B31506F}

// syncData is SYNC's payload: 07 07 12 20 and 32 bytes of 0x55.
var syncData = append([]byte{0x07, 0x07, 0x12, 0x20}, bytes.Repeat([]byte{0x55}, 32)...)

// ErrNoResponse is wrapped by every error caused by a response that did
// not arrive in time.
var ErrNoResponse = errors.New("no response")

// Options bound the Loader's waits. Zero fields take the defaults.
type Options struct {
	SyncAttempts   int           // SYNC attempts (default 5, as esptool per connect)
	SyncTimeout    time.Duration // wait per SYNC attempt (default 100 ms, esptool's)
	CommandTimeout time.Duration // wait for any other response (default 3 s)
	WriteTimeout   time.Duration // wait for a write to the port (default 3 s)
	// EraseTimeoutPerMiB is added to FLASH_BEGIN/FLASH_DEFL_BEGIN's wait
	// per MiB erased (default 30 s, esptool's), and MD5TimeoutPerMiB to
	// SPI_FLASH_MD5's per MiB hashed (default 8 s).
	EraseTimeoutPerMiB time.Duration
	MD5TimeoutPerMiB   time.Duration
}

func (o *Options) fill() {
	if o.SyncAttempts <= 0 {
		o.SyncAttempts = 5
	}
	if o.SyncTimeout <= 0 {
		o.SyncTimeout = 100 * time.Millisecond
	}
	if o.CommandTimeout <= 0 {
		o.CommandTimeout = 3 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 3 * time.Second
	}
	if o.EraseTimeoutPerMiB <= 0 {
		o.EraseTimeoutPerMiB = 30 * time.Second
	}
	if o.MD5TimeoutPerMiB <= 0 {
		o.MD5TimeoutPerMiB = 8 * time.Second
	}
}

// scaled returns base plus perMiB for every started MiB of size.
func scaled(base, perMiB time.Duration, size int) time.Duration {
	return base + perMiB*time.Duration((size+(1<<20)-1)>>20)
}

type frameResult struct {
	frame []byte
	err   error
	fatal bool
}

// Loader speaks the ESP32-C3 ROM serial loader protocol over a port (a
// serial port in download mode, or anything else that carries the bytes).
// A goroutine reads the port for the Loader's lifetime; it ends when the
// port's Read fails, so close the port after Close. Methods are safe for
// concurrent use but run one command at a time.
type Loader struct {
	w      io.Writer
	opts   Options
	frames chan frameResult
	closed chan struct{}
	once   sync.Once

	mu      sync.Mutex
	pending chan error // a write that timed out and may still complete
	endCmd  Command    // FLASH_END or FLASH_DEFL_END, after the last Flash
}

// NewLoader returns a Loader on rw. opts may be nil.
func NewLoader(rw io.ReadWriter, opts *Options) *Loader {
	l := &Loader{
		w:      rw,
		frames: make(chan frameResult, 64),
		closed: make(chan struct{}),
		endCmd: FlashEnd,
	}
	if opts != nil {
		l.opts = *opts
	}
	l.opts.fill()
	go l.readLoop(NewFrameReader(rw))
	return l
}

// Close stops the Loader. It does not close the port.
func (l *Loader) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *Loader) readLoop(fr *FrameReader) {
	for {
		f, err := fr.ReadFrame()
		res := frameResult{frame: f, err: err}
		if err != nil && !errors.Is(err, ErrBadEscape) && !errors.Is(err, ErrFrameTooLong) {
			res.fatal = true
		}
		select {
		case l.frames <- res:
		case <-l.closed:
			return
		}
		if res.fatal {
			return
		}
	}
}

// write sends one framed packet, bounded by WriteTimeout. A write that
// times out blocks the Loader until it completes.
func (l *Loader) write(ctx context.Context, frame []byte) error {
	if l.pending != nil {
		select {
		case <-l.pending:
			l.pending = nil
		default:
			return errors.New("a previous write to the port is still blocked")
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := l.w.Write(frame)
		done <- err
	}()
	t := time.NewTimer(l.opts.WriteTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		l.pending = done
		return fmt.Errorf("write to the port blocked for %v", l.opts.WriteTimeout)
	case <-ctx.Done():
		l.pending = done
		return ctx.Err()
	}
}

// drain drops frames that arrived before a request (extra SYNC answers,
// answers to requests that timed out).
func (l *Loader) drain() error {
	for {
		select {
		case r := <-l.frames:
			if r.fatal {
				return fmt.Errorf("reading the port: %w", r.err)
			}
		default:
			return nil
		}
	}
}

// Do sends a request and waits up to timeout (CommandTimeout if zero) for
// the response that echoes its command, skipping any other frame, as
// esptool does. A response with failure status returns a *ROMError along
// with the response. Errors are not prefixed; the exported helpers add
// "esprom: COMMAND".
func (l *Loader) Do(ctx context.Context, cmd Command, data []byte, checksum uint32, timeout time.Duration) (Response, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.closed:
		return Response{}, errors.New("loader closed")
	default:
	}
	if timeout <= 0 {
		timeout = l.opts.CommandTimeout
	}
	if err := l.drain(); err != nil {
		return Response{}, err
	}
	if err := l.write(ctx, EncodeSLIP(EncodeRequest(cmd, data, checksum))); err != nil {
		return Response{}, err
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	var last error // the last undecodable frame, for the timeout message
	for {
		select {
		case <-ctx.Done():
			return Response{}, ctx.Err()
		case <-l.closed:
			return Response{}, errors.New("loader closed")
		case <-t.C:
			if last != nil {
				return Response{}, fmt.Errorf("%w within %v (last bad frame: %v)", ErrNoResponse, timeout, last)
			}
			return Response{}, fmt.Errorf("%w within %v", ErrNoResponse, timeout)
		case r := <-l.frames:
			if r.fatal {
				return Response{}, fmt.Errorf("reading the port: %w", r.err)
			}
			if r.err != nil {
				last = r.err
				continue
			}
			resp, err := DecodeResponse(r.frame)
			if err != nil {
				last = err
				continue
			}
			if resp.Command != cmd {
				continue
			}
			return resp, resp.Err()
		}
	}
}

// do is Do with the "esprom: <what>:" prefix on errors.
func (l *Loader) do(ctx context.Context, what string, cmd Command, data []byte, checksum uint32, timeout time.Duration) (Response, error) {
	resp, err := l.Do(ctx, cmd, data, checksum, timeout)
	if err != nil {
		return resp, fmt.Errorf("esprom: %s: %w", what, err)
	}
	return resp, nil
}

func words(v ...uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	return b
}

// Sync sends SYNC until the ROM answers, up to SyncAttempts times with
// SyncTimeout each. The ROM answers one SYNC several times; the extra
// answers are dropped by the next command.
func (l *Loader) Sync(ctx context.Context) error {
	var err error
	for range l.opts.SyncAttempts {
		_, err = l.Do(ctx, Sync, syncData, 0, l.opts.SyncTimeout)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("esprom: SYNC: %w", ctx.Err())
		}
	}
	return fmt.Errorf("esprom: SYNC: no answer after %d attempts of %v (is the chip in its ROM download mode?): %w",
		l.opts.SyncAttempts, l.opts.SyncTimeout, err)
}

// ReadReg reads a 32-bit register or memory word.
func (l *Loader) ReadReg(ctx context.Context, addr uint32) (uint32, error) {
	resp, err := l.do(ctx, fmt.Sprintf("READ_REG 0x%08X", addr), ReadReg, words(addr), 0, 0)
	return resp.Value, err
}

// ChipID returns the chip id from GET_SECURITY_INFO (5 on an ESP32-C3).
// If the ROM refuses that command as unknown, or answers without a chip
// id, it reads the chip magic at 0x40001000 instead and maps the
// ESP32-C3's magic values to 5.
func (l *Loader) ChipID(ctx context.Context) (uint32, error) {
	resp, err := l.do(ctx, "GET_SECURITY_INFO", GetSecurityInfo, nil, 0, 0)
	switch {
	case err == nil && len(resp.Data) >= 20:
		// flags u32, flash_crypt_cnt u8, key_purposes 7×u8, chip_id u32, eco u32
		return binary.LittleEndian.Uint32(resp.Data[12:]), nil
	case err == nil, errors.Is(err, CodeInvalidMessage):
		magic, err := l.ReadReg(ctx, ChipMagicReg)
		if err != nil {
			return 0, err
		}
		for _, m := range esp32c3Magic {
			if magic == m {
				return ChipIDESP32C3, nil
			}
		}
		return 0, fmt.Errorf("esprom: unknown chip magic 0x%08X at 0x%08X (not an ESP32-C3)", magic, uint32(ChipMagicReg))
	default:
		return 0, err
	}
}

// MAC reads the factory MAC address from eFuse (two READ_REGs).
func (l *Loader) MAC(ctx context.Context) (net.HardwareAddr, error) {
	w0, err := l.ReadReg(ctx, MACEfuseReg)
	if err != nil {
		return nil, err
	}
	w1, err := l.ReadReg(ctx, MACEfuseReg+4)
	if err != nil {
		return nil, err
	}
	return macFromWords(w0, w1), nil
}

func macFromWords(w0, w1 uint32) net.HardwareAddr {
	return net.HardwareAddr{byte(w1 >> 8), byte(w1), byte(w0 >> 24), byte(w0 >> 16), byte(w0 >> 8), byte(w0)}
}

// Attach sends SPI_ATTACH with the ROM's 8 zero bytes (default SPI pins).
// The ROM needs it before any flash command.
func (l *Loader) Attach(ctx context.Context) error {
	_, err := l.do(ctx, "SPI_ATTACH", SPIAttach, make([]byte, 8), 0, 0)
	return err
}

// FlashParams is SPI_SET_PARAMS's payload.
type FlashParams struct {
	ID         uint32
	TotalSize  uint32
	BlockSize  uint32
	SectorSize uint32
	PageSize   uint32
	StatusMask uint32
}

// DefaultFlashParams returns esptool's parameters for a flash of size
// bytes: 64 KiB blocks, 4 KiB sectors, 256-byte pages, mask 0xFFFF.
func DefaultFlashParams(size uint32) FlashParams {
	return FlashParams{TotalSize: size, BlockSize: 64 << 10, SectorSize: 4 << 10, PageSize: 256, StatusMask: 0xFFFF}
}

// SetParams sends SPI_SET_PARAMS.
func (l *Loader) SetParams(ctx context.Context, p FlashParams) error {
	_, err := l.do(ctx, "SPI_SET_PARAMS", SPISetParams, words(p.ID, p.TotalSize, p.BlockSize, p.SectorSize, p.PageSize, p.StatusMask), 0, 0)
	return err
}

// Flash writes image at offset. Uncompressed, it sends FLASH_BEGIN and
// FLASH_DATA blocks of 0x400 bytes, the last padded with 0xFF. Compressed,
// it sends FLASH_DEFL_BEGIN (erase size of the uncompressed image, block
// count of the zlib stream) and FLASH_DEFL_DATA blocks of the stream. The
// ROM stays in its loader; call Finish to leave it. progress, if not nil,
// gets the image bytes sent so far and the image size.
func (l *Loader) Flash(ctx context.Context, offset uint32, image []byte, compress bool, progress func(done, total int)) error {
	if len(image) == 0 {
		return errors.New("esprom: empty image")
	}
	total := len(image)
	blocksOf := func(n int) int { return (n + BlockSize - 1) / BlockSize }
	eraseTimeout := scaled(l.opts.CommandTimeout, l.opts.EraseTimeoutPerMiB, total)
	begin, data, payload := FlashBegin, FlashData, image
	erase := uint32(total)
	if compress {
		payload = Deflate(image)
		begin, data = FlashDeflBegin, FlashDeflData
		// The ROM wants the uncompressed size rounded up (the stub
		// takes it exact); esptool rounds to the 0x400 write block.
		erase = uint32(blocksOf(total) * BlockSize)
	}
	n := blocksOf(len(payload))
	// erase size, blocks, block size, offset, encrypted = 0
	if _, err := l.do(ctx, begin.String(), begin, words(erase, uint32(n), BlockSize, offset, 0), 0, eraseTimeout); err != nil {
		return err
	}
	l.mu.Lock()
	l.endCmd = FlashEnd
	if compress {
		l.endCmd = FlashDeflEnd
	}
	l.mu.Unlock()
	blockTimeout := l.opts.CommandTimeout
	if compress {
		// A compressed block may inflate to much more flash to write.
		blockTimeout = scaled(l.opts.CommandTimeout, l.opts.EraseTimeoutPerMiB, BlockSize*16)
	}
	for seq := range n {
		blk := payload[seq*BlockSize : min((seq+1)*BlockSize, len(payload))]
		if !compress && len(blk) < BlockSize {
			blk = append(append([]byte(nil), blk...), bytes.Repeat([]byte{0xFF}, BlockSize-len(blk))...)
		}
		pkt := append(words(uint32(len(blk)), uint32(seq), 0, 0), blk...)
		if _, err := l.do(ctx, fmt.Sprintf("%s block %d", data, seq), data, pkt, Checksum(blk), blockTimeout); err != nil {
			return err
		}
		if progress != nil {
			progress(int(min(int64(total), int64(total)*int64((seq+1)*BlockSize)/int64(len(payload)))), total)
		}
	}
	return nil
}

// Deflate is the image as FLASH_DEFL_DATA sends it: zlib at its best
// compression.
func Deflate(image []byte) []byte {
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	zw.Write(image)
	zw.Close()
	return buf.Bytes()
}

// MD5 returns the MD5 of size bytes of flash at offset (SPI_FLASH_MD5).
// The ROM answers 32 hex characters; 16 raw bytes (the stub's) are
// accepted too.
func (l *Loader) MD5(ctx context.Context, offset, size uint32) ([16]byte, error) {
	var sum [16]byte
	resp, err := l.do(ctx, "SPI_FLASH_MD5", SPIFlashMD5, words(offset, size, 0, 0), 0,
		scaled(l.opts.CommandTimeout, l.opts.MD5TimeoutPerMiB, int(size)))
	if err != nil {
		return sum, err
	}
	switch len(resp.Data) {
	case 32:
		if _, err := hex.Decode(sum[:], resp.Data); err != nil {
			return sum, fmt.Errorf("esprom: SPI_FLASH_MD5: answer %q is not hex", resp.Data)
		}
	case 16:
		copy(sum[:], resp.Data)
	default:
		return sum, fmt.Errorf("esprom: SPI_FLASH_MD5: answer of %d bytes, want 32 hex characters", len(resp.Data))
	}
	return sum, nil
}

// Finish leaves flash mode with FLASH_END, or FLASH_DEFL_END after a
// compressed Flash. reboot asks the ROM to reboot (payload 0); otherwise
// it runs the user code (payload 1).
func (l *Loader) Finish(ctx context.Context, reboot bool) error {
	l.mu.Lock()
	cmd := l.endCmd
	l.mu.Unlock()
	arg := uint32(1)
	if reboot {
		arg = 0
	}
	_, err := l.do(ctx, cmd.String(), cmd, words(arg), 0, 0)
	return err
}
