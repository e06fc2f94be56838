package notify

import "github.com/kvalitetsmodel/accredit/store"

// SetAfterPost makes d run f between each post and its record; an error from f abandons the
// row there, as a crash of the worker process would.
func SetAfterPost(d *Dispatcher, f func(store.OutboxMessage) error) { d.afterPost = f }

// Unlimit lifts d's rate limit, to measure the dispatcher's own cost per message.
func Unlimit(d *Dispatcher) { d.limit = newLimiter(1_000_000_000) }
