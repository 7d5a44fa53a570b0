package streamlog

import "sort"

// model mirrors what the log holds, without the entries' values: enough to
// find what changed in Redis since the last round and to tell how much of
// the log is still live.
type model struct {
	streams map[string]*mstream
}

type mstream struct {
	last   ID     // highest id logged
	ents   []ment // retained entries, ascending
	bytes  int64  // log bytes of the retained entries
	groups map[string]ID
}

type ment struct {
	id   ID
	size uint32
}

// groupCost stands for a stream or group record when sizing the live state.
const groupCost = 64

func newModel() *model { return &model{streams: map[string]*mstream{}} }

func (m *model) liveBytes() int64 {
	n := int64(headerSize)
	for _, s := range m.streams {
		n += s.bytes + groupCost*int64(1+len(s.groups))
	}
	return n
}

func (s *mstream) add(id ID, size int) {
	s.ents = append(s.ents, ment{id, uint32(size)})
	s.bytes += int64(size)
	s.last = maxID(s.last, id)
}

// trimBelow drops the entries with an id below min and reports whether
// there were any.
func (s *mstream) trimBelow(min ID) bool {
	i := sort.Search(len(s.ents), func(i int) bool { return !s.ents[i].id.Less(min) })
	if i == 0 {
		return false
	}
	for _, e := range s.ents[:i] {
		s.bytes -= int64(e.size)
	}
	s.ents = s.ents[i:]
	// A stream trimmed from the front keeps its old array alive: copy it
	// once most of it is gone.
	if cap(s.ents) > 1024 && len(s.ents) < cap(s.ents)/4 {
		s.ents = append([]ment(nil), s.ents...)
	}
	return true
}

// remove drops the entries whose ids are in gone.
func (s *mstream) remove(gone map[ID]bool) {
	kept := s.ents[:0]
	for _, e := range s.ents {
		if gone[e.id] {
			s.bytes -= int64(e.size)
			continue
		}
		kept = append(kept, e)
	}
	s.ents = kept
}
