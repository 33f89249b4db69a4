package broker

import "errors"

// Reasons ServeConn gives for the end of a connection. A connection that
// ends with DISCONNECT returns nil.
var (
	ErrClosed             = errors.New("broker: closed")
	ErrTooManyConnections = errors.New("broker: no free connection slot")
	ErrConnectTimeout     = errors.New("broker: no CONNECT within the connect timeout")
	ErrPendingEvicted     = errors.New("broker: closed to make room, no CONNECT yet")
	ErrKeepAliveTimeout   = errors.New("broker: no packet within 1.5 times the keep alive")
	ErrTakenOver          = errors.New("broker: session taken over by a new connection")
	ErrRefused            = errors.New("broker: connection refused")
	ErrProtocol           = errors.New("broker: protocol violation")
	ErrLimit              = errors.New("broker: packet beyond the broker's limits")
)

// Errors of the in-process client.
var (
	ErrInvalidQoS     = errors.New("broker: QoS above 2")
	ErrTooLarge       = errors.New("broker: topic or payload beyond the broker's limits")
	ErrNoSubscription = errors.New("broker: no free subscription slot")
	ErrNilHandler     = errors.New("broker: nil handler")
	ErrNotSubscribed  = errors.New("broker: not subscribed to that filter")
)

// A detailError says why something failed: a reason above, what exactly
// happened, and the error that caused it, if any. errors.Is matches both
// the reason and the cause. It is built with strconv and string
// concatenation rather than fmt, which TinyGo builds would rather not
// carry; it allocates, but only on the way out: when New refuses its
// limits or a connection ends badly.
type detailError struct {
	msg  string
	errs []error
}

func (e *detailError) Error() string   { return e.msg }
func (e *detailError) Unwrap() []error { return e.errs }

// because returns the error "reason: detail: cause", leaving out the
// parts that are empty or nil.
func because(reason error, detail string, cause error) error {
	e := &detailError{}
	if reason != nil {
		e.msg = reason.Error()
		e.errs = append(e.errs, reason)
	}
	if detail != "" {
		if e.msg != "" {
			e.msg += ": "
		}
		e.msg += detail
	}
	if cause != nil {
		if e.msg != "" {
			e.msg += ": "
		}
		e.msg += cause.Error()
		e.errs = append(e.errs, cause)
	}
	return e
}
