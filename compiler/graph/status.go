package graph

// Status is what a change did to a step, for styling a rendered graph. The
// diff package maps its own status onto it.
type Status uint8

const (
	Unchanged Status = iota
	Added
	Changed
	Removed
)

func (s Status) String() string {
	switch s {
	case Unchanged:
		return "unchanged"
	case Added:
		return "added"
	case Changed:
		return "changed"
	case Removed:
		return "removed"
	}
	return "unknown"
}
