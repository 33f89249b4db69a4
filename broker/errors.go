package broker

import "errors"

// Reasons ServeConn gives for the end of a connection. A connection that
// ends with DISCONNECT returns nil.
var (
	ErrClosed             = errors.New("broker: closed")
	ErrTooManyConnections = errors.New("broker: no free connection slot")
	ErrConnectTimeout     = errors.New("broker: no CONNECT within the connect timeout")
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
