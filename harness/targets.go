package harness

// The target kinds every suite can run against register themselves here;
// a suite reaches another kind by importing its package for effect.
import (
	_ "github.com/gatomqtt/gatomqtt/boards/boardtarget"
	_ "github.com/gatomqtt/gatomqtt/harness/target/inproc"
	_ "github.com/gatomqtt/gatomqtt/harness/target/tcp"
)
