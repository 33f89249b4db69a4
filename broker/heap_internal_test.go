package broker

import (
	"reflect"
	"testing"
)

// TestFlatTypesHoldNoPointers checks every type mapTable may take: the
// collector does not scan a mapped table, so a pointer kept in one would
// not keep what it points to alive.
func TestFlatTypesHoldNoPointers(t *testing.T) {
	for _, v := range []any{byte(0), int32(0), uint16(0), flight{}, queued{}, subNode{}, subEntry{}} {
		if typ := reflect.TypeOf(v); hasPointers(typ) {
			t.Errorf("%v holds pointers; take it out of flat", typ)
		}
	}
}

func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return false
	case reflect.Array:
		return hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
		return false
	}
	return true
}
