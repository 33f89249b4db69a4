package tlspsk

import (
	"crypto/cipher"
	"errors"
	"io"
	"strconv"
)

// The record layer (RFC 8446 section 5): framing, protection, padding
// removal and size limits. Records are read into and written from one
// fixed buffer per direction; plaintext is decrypted in place and handed
// to the caller from there.

type recordType uint8

const (
	recordChangeCipherSpec recordType = 20
	recordAlert            recordType = 21
	recordHandshake        recordType = 22
	recordApplicationData  recordType = 23
)

const (
	headerLen = 5
	// maxCiphertext is the largest TLSCiphertext.length RFC 8446 allows.
	maxCiphertext = MaxPlaintext + 256
	// maxUselessRecords bounds consecutive records that carry nothing
	// (empty application data, ChangeCipherSpec, user_canceled), so a
	// peer cannot keep a reader spinning.
	maxUselessRecords = 32
	// earlyDataBudget is how many bytes of rejected 0-RTT records a server
	// skips before giving up (RFC 8446 section 4.2.10); this package never
	// accepts early data.
	earlyDataBudget = 4 * (maxCiphertext + headerLen)
)

// recordBufSize is the size of a buffer that holds one protected record
// whose TLSInnerPlaintext (content plus type byte) is at most inner bytes.
func recordBufSize(inner int) int { return headerLen + inner + maxTag }

// halfConn is the protection state of one direction.
type halfConn struct {
	suite  *cipherSuite
	aead   cipher.AEAD
	secret []byte // current traffic secret, kept for KeyUpdate
	iv     [nonceLen]byte
	nonce  [nonceLen]byte
	seq    uint64
}

func (h *halfConn) setSecret(suite *cipherSuite, secret []byte) error {
	key, iv := trafficKeys(secret)
	aead, err := suite.aead(key)
	if err != nil {
		return fail(AlertInternalError, ErrInternal, "AEAD setup: "+err.Error())
	}
	h.suite, h.aead, h.secret, h.seq = suite, aead, secret, 0
	copy(h.iv[:], iv)
	return nil
}

// update moves to the next traffic secret after a KeyUpdate.
func (h *halfConn) update() error {
	return h.setSecret(h.suite, nextTrafficSecret(h.secret))
}

// nextNonce returns the per-record nonce: the IV XORed with the sequence
// number (RFC 8446 section 5.3).
func (h *halfConn) nextNonce() ([]byte, error) {
	if h.seq == ^uint64(0) {
		// 2^64-1 records under one key: RFC 8446 requires a KeyUpdate
		// long before; give up rather than reuse a nonce.
		return nil, fail(AlertInternalError, ErrInternal, "record sequence number exhausted")
	}
	h.nonce = h.iv
	for i := 0; i < 8; i++ {
		h.nonce[nonceLen-1-i] ^= byte(h.seq >> (8 * i))
	}
	h.seq++
	return h.nonce[:], nil
}

// boundaryTimeout is a read deadline that expired between records.
type boundaryTimeout struct{ err error }

func (b boundaryTimeout) Error() string { return b.err.Error() }
func (b boundaryTimeout) Unwrap() error { return b.err }

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func unexpected(detail string) error {
	return fail(AlertUnexpectedMessage, ErrUnexpectedMessage, detail)
}

func overflow(detail string) error {
	return fail(AlertRecordOverflow, ErrRecordOverflow, detail)
}

// readRecord reads one record and removes its protection. The returned
// content aliases c.inBuf until the next call. c.inMu must be held.
func (c *Conn) readRecord() (recordType, []byte, error) {
	for {
		hdr := c.inBuf[:headerLen]
		if n, err := io.ReadFull(c.rw, hdr); err != nil {
			if n == 0 && isTimeout(err) {
				// Nothing of the record was read: the connection is
				// intact and a later Read may go on.
				return 0, nil, boundaryTimeout{err}
			}
			return 0, nil, err
		}
		typ := recordType(hdr[0])
		n := int(hdr[3])<<8 | int(hdr[4])
		switch typ {
		case recordChangeCipherSpec, recordAlert, recordHandshake, recordApplicationData:
		default:
			return 0, nil, unexpected("unknown record type")
		}
		protected := c.in.aead != nil && typ == recordApplicationData
		if c.in.aead != nil && typ == recordHandshake {
			return 0, nil, unexpected("unprotected handshake record after keys were set")
		}
		if c.in.aead == nil && typ == recordApplicationData {
			return 0, nil, unexpected("application data before keys were set")
		}
		if typ == recordAlert && c.in.aead != nil && c.handshakeDone.Load() {
			return 0, nil, unexpected("unprotected alert after the handshake")
		}
		limit := MaxPlaintext
		if protected {
			limit = maxCiphertext
		}
		if n > limit {
			return 0, nil, overflow("record length above the protocol limit")
		}
		if headerLen+n > len(c.inBuf) {
			return 0, nil, overflow("record length above this side's limit")
		}
		payload := c.inBuf[headerLen : headerLen+n]
		if _, err := io.ReadFull(c.rw, payload); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return 0, nil, err
		}
		if !protected {
			return typ, payload, nil
		}
		nonce, err := c.in.nextNonce()
		if err != nil {
			return 0, nil, err
		}
		plain, err := c.in.aead.Open(payload[:0], nonce, payload, hdr)
		if err != nil {
			if c.earlySkip >= headerLen+n {
				// A 0-RTT record this server rejected: skip it, and do
				// not let it consume a sequence number.
				c.earlySkip -= headerLen + n
				c.in.seq--
				continue
			}
			return 0, nil, fail(AlertBadRecordMAC, ErrBadRecordMAC, "")
		}
		c.earlySkip = 0
		if len(plain) > c.recvInner {
			return 0, nil, overflow("record plaintext above the negotiated limit")
		}
		i := len(plain) - 1
		for i >= 0 && plain[i] == 0 {
			i--
		}
		if i < 0 {
			return 0, nil, unexpected("protected record without a content type")
		}
		typ = recordType(plain[i])
		switch typ {
		case recordAlert, recordHandshake, recordApplicationData:
		default:
			return 0, nil, unexpected("protected record of type " + strconv.Itoa(int(typ)))
		}
		return typ, plain[:i], nil
	}
}

// nextRecord returns the next record that carries handshake or
// application data, acting on alerts and dropping ChangeCipherSpec and
// empty records on the way. c.inMu must be held.
func (c *Conn) nextRecord() (recordType, []byte, error) {
	useless := 0
	for {
		if c.readErr != nil {
			return 0, nil, c.readErr
		}
		typ, data, err := c.readRecord()
		if err != nil {
			return 0, nil, err
		}
		switch typ {
		case recordChangeCipherSpec:
			// Middlebox compatibility (RFC 8446 section 5): one byte 0x01,
			// only while the handshake is under way.
			if !c.ccsAllowed || len(data) != 1 || data[0] != 1 {
				return 0, nil, unexpected("change_cipher_spec record")
			}
		case recordAlert:
			if len(data) != 2 {
				return 0, nil, decodeErr("alert record")
			}
			switch a := Alert(data[1]); a {
			case AlertCloseNotify:
				c.readErr = io.EOF
				return 0, nil, io.EOF
			case AlertUserCanceled:
				// A close_notify should follow; keep reading.
			default:
				err := &AlertError{Alert: a}
				c.readErr = err
				c.outMu.Lock()
				if c.writeErr == nil {
					c.writeErr = err
				}
				c.outMu.Unlock()
				return 0, nil, err
			}
		case recordHandshake:
			if len(data) == 0 {
				return 0, nil, unexpected("empty handshake record")
			}
			return typ, data, nil
		case recordApplicationData:
			if len(data) > 0 {
				return typ, data, nil
			}
		}
		useless++
		if useless > maxUselessRecords {
			return 0, nil, unexpected("too many records without content")
		}
	}
}

// writeRecordLocked sends data as records of type typ, split at the send
// limit and protected once keys are set. c.outMu must be held.
func (c *Conn) writeRecordLocked(typ recordType, data []byte) (int, error) {
	if c.writeErr != nil {
		return 0, c.writeErr
	}
	if c.outBuf == nil {
		c.setOutBuf(recordBufSize(c.sendLimit + 1))
	}
	written := 0
	for len(data) > 0 {
		m := len(data)
		if m > c.sendLimit {
			m = c.sendLimit
		}
		rec, err := c.sealRecord(c.outBuf, typ, data[:m])
		if err != nil {
			c.writeErr = err
			return written, err
		}
		if _, err := c.rw.Write(rec); err != nil {
			c.writeErr = err
			return written, err
		}
		written += m
		data = data[m:]
	}
	return written, nil
}

// sealRecord frames content as one record in buf, protecting it when the
// write keys are set, and returns the record.
func (c *Conn) sealRecord(buf []byte, typ recordType, content []byte) ([]byte, error) {
	buf[1], buf[2] = 0x03, 0x03
	if c.out.aead == nil {
		buf[0] = byte(typ)
		buf[3], buf[4] = byte(len(content)>>8), byte(len(content))
		n := copy(buf[headerLen:], content)
		return buf[:headerLen+n], nil
	}
	inner := len(content) + 1
	n := inner + c.out.aead.Overhead()
	buf[0] = byte(recordApplicationData)
	buf[3], buf[4] = byte(n>>8), byte(n)
	copy(buf[headerLen:], content)
	buf[headerLen+len(content)] = byte(typ)
	nonce, err := c.out.nextNonce()
	if err != nil {
		return nil, err
	}
	out := c.out.aead.Seal(buf[headerLen:headerLen], nonce, buf[headerLen:headerLen+inner], buf[:headerLen])
	return buf[:headerLen+len(out)], nil
}

// sendAlertLocked sends an alert, protected when write keys are set. It
// uses its own small buffer, so it works before the record buffer exists.
// c.outMu must be held.
func (c *Conn) sendAlertLocked(a Alert) error {
	if c.alertSent {
		return nil
	}
	if a != AlertCloseNotify && a != AlertUserCanceled {
		c.alertSent = true
	}
	rec, err := c.sealRecord(c.alertBuf[:], recordAlert, []byte{a.level(), byte(a)})
	if err != nil {
		return err
	}
	_, err = c.rw.Write(rec)
	return err
}

// abort makes err final for both directions and, when it is a local
// protocol failure, tells the peer with the matching alert.
func (c *Conn) abort(err error) error {
	var le *localError
	if errors.As(err, &le) {
		// A Close under way skips the alert: the transport is going.
		sending := c.beginWrite()
		c.outMu.Lock()
		if c.writeErr == nil {
			if sending {
				c.sendAlertLocked(le.alert)
			}
			c.writeErr = err
		}
		c.outMu.Unlock()
		if sending {
			c.endWrite()
		}
	}
	if c.readErr == nil {
		c.readErr = err
	}
	return err
}
