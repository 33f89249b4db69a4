package rfc2217

// COM-PORT-OPTION commands, client to server (RFC 2217). The server
// answers a command with the same code plus serverOffset.
const (
	cmdSignature        = 0
	cmdSetBaudRate      = 1
	cmdSetDataSize      = 2
	cmdSetParity        = 3
	cmdSetStopSize      = 4
	cmdSetControl       = 5
	cmdNotifyLineState  = 6
	cmdNotifyModemState = 7
	cmdFlowSuspend      = 8
	cmdFlowResume       = 9
	cmdSetLineMask      = 10
	cmdSetModemMask     = 11
	cmdPurgeData        = 12

	serverOffset = 100
)

// SET-CONTROL values used here.
const (
	ctlFlowNone   = 1
	ctlBreakOff   = 6
	ctlDTRRequest = 7
	ctlDTROn      = 8
	ctlDTROff     = 9
	ctlRTSRequest = 10
	ctlRTSOn      = 11
	ctlRTSOff     = 12
	ctlInFlowNone = 14
)

// Purge selects the buffers PURGE-DATA clears at the access server.
type Purge byte

const (
	PurgeReceive  Purge = 1 // data received from the device, not yet sent to the client
	PurgeTransmit Purge = 2 // data from the client, not yet written to the device
	PurgeBoth     Purge = 3
)
