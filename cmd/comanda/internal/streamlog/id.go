package streamlog

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ID is a stream entry id, ms-seq.
type ID struct{ Ms, Seq uint64 }

// ParseID reads "ms-seq" (or "ms", seq 0).
func ParseID(s string) (ID, error) {
	ms, seq, hasSeq := strings.Cut(s, "-")
	var id ID
	var err error
	if id.Ms, err = strconv.ParseUint(ms, 10, 64); err != nil {
		return ID{}, fmt.Errorf("parsing stream id %q: %w", s, err)
	}
	if hasSeq {
		if id.Seq, err = strconv.ParseUint(seq, 10, 64); err != nil {
			return ID{}, fmt.Errorf("parsing stream id %q: %w", s, err)
		}
	}
	return id, nil
}

func (id ID) String() string {
	return strconv.FormatUint(id.Ms, 10) + "-" + strconv.FormatUint(id.Seq, 10)
}

// IsZero reports the id 0-0, which no entry has.
func (id ID) IsZero() bool { return id == ID{} }

// Less orders ids as Redis does.
func (id ID) Less(o ID) bool { return id.Ms < o.Ms || (id.Ms == o.Ms && id.Seq < o.Seq) }

// Prev is the id just before id (0-0 stays 0-0).
func (id ID) Prev() ID {
	switch {
	case id.Seq > 0:
		return ID{id.Ms, id.Seq - 1}
	case id.Ms > 0:
		return ID{id.Ms - 1, math.MaxUint64}
	default:
		return ID{}
	}
}

// Next is the id just after id.
func (id ID) Next() ID {
	if id.Seq == math.MaxUint64 {
		return ID{id.Ms + 1, 0}
	}
	return ID{id.Ms, id.Seq + 1}
}

func maxID(a, b ID) ID {
	if a.Less(b) {
		return b
	}
	return a
}
