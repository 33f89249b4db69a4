package main

import (
	"fmt"
	"io"

	"github.com/gatomqtt/gatomqtt/boards/discover"
)

// twinDir is where hil boards looks for running twins ("" for
// discover.TwinDir); tests point it elsewhere.
var twinDir = ""

// runBoards is "hil boards": the USB serial ports and what their USB
// identity says they are, then the twins running here.
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
	} else {
		fmt.Fprint(stdout, discover.Format(ports))
	}
	twins, err := discover.Twins(twinDir)
	if err != nil {
		fmt.Fprintf(stderr, "hil boards: %v\n", err)
		return exitFail
	}
	if len(twins) > 0 {
		fmt.Fprintln(stdout, "\nrunning twins (gatomqtt-twin):")
		fmt.Fprint(stdout, discover.FormatTwins(twins))
	}
	return exitOK
}
