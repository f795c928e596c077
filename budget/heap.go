package budget

// minHeap is a binary heap ordered by less, without the boxing of
// container/heap.
type minHeap[T any] struct {
	s    []T
	less func(a, b T) bool
}

func (h *minHeap[T]) len() int { return len(h.s) }
func (h *minHeap[T]) peek() T  { return h.s[0] }

func (h *minHeap[T]) push(x T) {
	h.s = append(h.s, x)
	for i := len(h.s) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(h.s[i], h.s[p]) {
			break
		}
		h.s[i], h.s[p] = h.s[p], h.s[i]
		i = p
	}
}

func (h *minHeap[T]) pop() T {
	top := h.s[0]
	last := len(h.s) - 1
	h.s[0] = h.s[last]
	h.s = h.s[:last]
	for i := 0; ; {
		l, best := 2*i+1, i
		if l < last && h.less(h.s[l], h.s[best]) {
			best = l
		}
		if r := l + 1; r < last && h.less(h.s[r], h.s[best]) {
			best = r
		}
		if best == i {
			return top
		}
		h.s[i], h.s[best] = h.s[best], h.s[i]
		i = best
	}
}
