package main

import (
	"fmt"
	"io"

	"github.com/gatomqtt/gatomqtt/boards/discover"
)

// runBoards is "hil boards": the USB serial ports and what their USB
// identity says they are.
func runBoards(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "hil boards: unexpected argument %q\n", args[0])
		return exitUsage
	}
	ports, err := discover.List()
	if err != nil {
		fmt.Fprintf(stderr, "hil boards: %v\n", err)
		return exitFail
	}
	if len(ports) == 0 {
		fmt.Fprintln(stdout, "no USB serial ports found")
		return exitOK
	}
	fmt.Fprint(stdout, discover.Format(ports))
	return exitOK
}
