package notify_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/notify"
	"github.com/kvalitetsmodel/accredit/store"
)

// BenchmarkDelivery is the delivery throughput of one dispatcher against a slacktest
// workspace, over HTTP with the real client: each message is claimed under a lease, rendered
// as Block Kit, posted as a direct message with its metadata, and recorded, at the rate the
// limiter allows (ACCREDIT_SLACK_MESSAGES_PER_SECOND; 4 by default, 100 at most), and without
// it (rate=0), which is the dispatcher's own ceiling. Its result is in docs/performance.md:
//
//	go test -run '^$' -bench Delivery -benchtime 100x ./notify
func BenchmarkDelivery(b *testing.B) {
	for _, rate := range []int{4, 100, 0} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			e := newEnv(b, true)
			e.cfg.Slack.MessagesPerSecond = max(rate, 1)
			for i := range b.N {
				e.notify(note(activities.KindInfo, 0, domain.NewDate(2027, 1, 1).AddDays(i), person("P-001")))
			}
			d := e.dispatcher("bench")
			if rate == 0 {
				notify.Unlimit(d)
			}
			ctx := context.Background()
			b.ResetTimer()
			delivered := 0
			for delivered < b.N {
				n, err := d.RunOnce(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if n == 0 {
					b.Fatalf("%d of %d delivered, and nothing left to claim", delivered, b.N)
				}
				delivered += n
			}
			b.StopTimer()
			if got := len(e.ws.posts()); got != b.N {
				b.Fatalf("%d messages posted for %d rows", got, b.N)
			}
			rows, err := e.st.Outbox(ctx, store.OutboxFilter{Status: store.OutboxDelivered})
			if err != nil || len(rows) != b.N {
				b.Fatalf("%d rows delivered (%v), want %d", len(rows), err, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
