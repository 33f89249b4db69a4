package broker

// flat are the element types of the tables that hold no pointers: the
// byte buffers, the int32 lists, and the rings, nodes and subscription
// slots indexed by slot.
// The garbage collector need not see them, so on hosts New may take them
// from outside the Go heap (see mapTable); TestFlatTypesHoldNoPointers
// keeps pointers out of them.
type flat interface {
	byte | int32 | uint16 | flight | queued | subNode | subEntry
}
