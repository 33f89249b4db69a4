package tlspsk

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"hash"
)

// The TLS 1.3 key schedule (RFC 8446 section 7.1) for SHA-256, the only
// hash external PSKs use here.

var (
	zeroSecret [hashLen]byte
	// emptyHash is Transcript-Hash of no messages, the context of the
	// "derived" and binder secrets.
	emptyHash = sha256.Sum256(nil)
)

// expandLabel is HKDF-Expand-Label(secret, label, context, length).
func expandLabel(secret []byte, label string, context []byte, length int) []byte {
	info := make([]byte, 0, 2+1+6+len(label)+1+len(context))
	info = append(info, byte(length>>8), byte(length))
	info = append(info, byte(6+len(label)))
	info = append(info, "tls13 "...)
	info = append(info, label...)
	info = append(info, byte(len(context)))
	info = append(info, context...)
	out, err := hkdf.Expand(sha256.New, secret, string(info), length)
	if err != nil {
		// Only reachable for lengths beyond 255*32 bytes, which this
		// package never asks for.
		panic("tlspsk: HKDF-Expand-Label: " + err.Error())
	}
	return out
}

// extract is HKDF-Extract(salt, ikm); a nil ikm stands for a string of
// hashLen zero bytes, as the key schedule specifies.
func extract(ikm, salt []byte) []byte {
	if ikm == nil {
		ikm = zeroSecret[:]
	}
	out, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		panic("tlspsk: HKDF-Extract: " + err.Error())
	}
	return out
}

// deriveSecret is Derive-Secret(secret, label, messages) given the
// transcript hash of the messages.
func deriveSecret(secret []byte, label string, transcriptHash []byte) []byte {
	return expandLabel(secret, label, transcriptHash, hashLen)
}

// earlySecret is HKDF-Extract(0, PSK).
func earlySecret(psk []byte) []byte {
	return extract(psk, nil)
}

// binderKey derives the binder key from the early secret. External PSKs
// use the label "ext binder"; resumption PSKs use "res binder", which the
// RFC 8448 test vectors exercise.
func binderKey(early []byte, external bool) []byte {
	label := "ext binder"
	if !external {
		label = "res binder"
	}
	return deriveSecret(early, label, emptyHash[:])
}

// signBinder computes the PSK binder of the ClientHello msg in place: the
// binder covers prefix (the HelloRetryRequest part of the transcript, if
// any) and msg up to its binders vector (RFC 8446 section 4.2.11.2).
// msg must carry one identity, and so one binder at its very end.
func signBinder(msg, prefix, binderKey []byte) {
	h := sha256.New()
	h.Write(prefix)
	h.Write(msg[:len(msg)-(2+1+hashLen)])
	copy(msg[len(msg)-hashLen:], finishedMAC(binderKey, h.Sum(nil)))
}

// handshakeSecret is the secret after the (EC)DHE input; shared is nil in
// psk_ke mode.
func handshakeSecret(early, shared []byte) []byte {
	return extract(shared, deriveSecret(early, "derived", emptyHash[:]))
}

// masterSecret follows the handshake secret.
func masterSecret(hs []byte) []byte {
	return extract(nil, deriveSecret(hs, "derived", emptyHash[:]))
}

// finishedKey is the HMAC key of a Finished message or a PSK binder.
func finishedKey(baseKey []byte) []byte {
	return expandLabel(baseKey, "finished", nil, hashLen)
}

// finishedMAC is HMAC(finished_key, transcriptHash): the verify_data of a
// Finished message, or a PSK binder when baseKey is the binder key.
func finishedMAC(baseKey, transcriptHash []byte) []byte {
	m := hmac.New(sha256.New, finishedKey(baseKey))
	m.Write(transcriptHash)
	return m.Sum(nil)
}

// trafficKeys derives the AEAD key and IV of a traffic secret.
func trafficKeys(secret []byte) (key, iv []byte) {
	return expandLabel(secret, "key", nil, keyLen), expandLabel(secret, "iv", nil, nonceLen)
}

// nextTrafficSecret is the secret that follows a KeyUpdate.
func nextTrafficSecret(secret []byte) []byte {
	return expandLabel(secret, "traffic upd", nil, hashLen)
}

// transcript accumulates the handshake transcript. Sum does not disturb the
// running state, so intermediate transcript hashes cost nothing extra.
//
// The zero transcript is empty too and allocates its hash on first use: a
// handshake state holds one by value, and a handshake that fails before
// its transcript starts allocates none, as when it was a local variable.
type transcript struct{ h hash.Hash }

func newTranscript() transcript { return transcript{h: sha256.New()} }

func (t *transcript) hash() hash.Hash {
	if t.h == nil {
		t.h = sha256.New()
	}
	return t.h
}

func (t *transcript) add(msg []byte) { t.hash().Write(msg) }

func (t *transcript) sum() []byte { return t.hash().Sum(nil) }

// restartWithMessageHash replaces ClientHello1 in the transcript by the
// synthetic message_hash message (RFC 8446 section 4.4.1), before the
// HelloRetryRequest is added. It returns the bytes that now start the
// transcript, which binders over ClientHello2 also cover.
func (t *transcript) restartWithMessageHash(ch1 []byte) []byte {
	h := sha256.Sum256(ch1)
	prefix := make([]byte, 0, 4+hashLen)
	prefix = append(prefix, typeMessageHash, 0, 0, hashLen)
	prefix = append(prefix, h[:]...)
	t.hash().Reset()
	t.h.Write(prefix)
	return prefix
}
