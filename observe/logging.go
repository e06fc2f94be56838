package observe

import (
	"context"
	"log/slog"
	"reflect"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"
)

// The keys a log line about a cycle carries, so that one grep (or one log query) finds
// everything that happened to an institution, or to one step of it.
const (
	KeyWorkflowID  = "workflow_id"
	KeyInstitution = "institution"
	KeyStep        = "step"
	KeyStage       = "stage"
)

type fieldsKey struct{}

// fields are the log attributes an activity's context carries, as key-value pairs.
type fields []any

// WithFields returns ctx carrying the workflow, institution and step that log lines made with
// it should name; ContextHandler adds them. The logging interceptor does this for every
// activity.
func WithFields(ctx context.Context, workflowID, institution, step string) context.Context {
	var f fields
	for _, kv := range [][2]string{{KeyWorkflowID, workflowID}, {KeyInstitution, institution}, {KeyStep, step}} {
		if kv[1] != "" {
			f = append(f, kv[0], kv[1])
		}
	}
	if len(f) == 0 {
		return ctx
	}
	return context.WithValue(ctx, fieldsKey{}, f)
}

func fieldsOf(ctx context.Context) fields {
	if ctx == nil {
		return nil
	}
	f, _ := ctx.Value(fieldsKey{}).(fields)
	return f
}

// ContextHandler wraps a slog handler so that a record logged with a context (InfoContext,
// WarnContext, ...) carries the fields WithFields put there: an activity's log lines name
// its workflow, institution and step without each call listing them.
func ContextHandler(h slog.Handler) slog.Handler { return contextHandler{h} }

type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if f := fieldsOf(ctx); len(f) > 0 {
		r = r.Clone()
		r.Add(f...)
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

// NewLogInterceptor returns the worker interceptor (installed through the client's
// options) that gives every activity's context its workflow, institution and step
// (WithFields), and adds the institution and step or stage to the SDK's loggers
// (activity.GetLogger and workflow.GetLogger, which name the workflow already). It changes
// no workflow's behaviour: it only decorates loggers.
func NewLogInterceptor() interceptor.Interceptor { return &logInterceptor{} }

type logInterceptor struct{ interceptor.InterceptorBase }

func (*logInterceptor) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &activityLogIn{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

func (*logInterceptor) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &workflowLogIn{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}}
}

type activityLogIn struct {
	interceptor.ActivityInboundInterceptorBase
}

func (a *activityLogIn) Init(outbound interceptor.ActivityOutboundInterceptor) error {
	return a.Next.Init(&activityLogOut{ActivityOutboundInterceptorBase: interceptor.ActivityOutboundInterceptorBase{Next: outbound}})
}

func (a *activityLogIn) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	id := activity.GetInfo(ctx).WorkflowExecution.ID
	institution, stage := parseWorkflowID(id)
	argInstitution, step := fromArgs(in.Args)
	if institution == "" {
		institution = argInstitution
	}
	if step == "" {
		step = stage
	}
	return a.Next.ExecuteActivity(WithFields(ctx, id, institution, step), in)
}

type activityLogOut struct {
	interceptor.ActivityOutboundInterceptorBase
}

func (a *activityLogOut) GetLogger(ctx context.Context) log.Logger {
	logger := a.Next.GetLogger(ctx)
	var extra []any
	f := fieldsOf(ctx)
	for i := 0; i+1 < len(f); i += 2 {
		// The SDK's activity logger names the workflow already (WorkflowID).
		if f[i] != KeyWorkflowID {
			extra = append(extra, f[i], f[i+1])
		}
	}
	if len(extra) == 0 {
		return logger
	}
	return log.With(logger, extra...)
}

type workflowLogIn struct {
	interceptor.WorkflowInboundInterceptorBase
}

func (w *workflowLogIn) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	return w.Next.Init(&workflowLogOut{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: outbound}})
}

type workflowLogOut struct {
	interceptor.WorkflowOutboundInterceptorBase
}

func (w *workflowLogOut) GetLogger(ctx workflow.Context) log.Logger {
	logger := w.Next.GetLogger(ctx)
	institution, stage := parseWorkflowID(workflow.GetInfo(ctx).WorkflowExecution.ID)
	var extra []any
	if institution != "" {
		extra = append(extra, KeyInstitution, institution)
	}
	if stage != "" {
		extra = append(extra, KeyStage, stage)
	}
	if len(extra) == 0 {
		return logger
	}
	return log.With(logger, extra...)
}

// parseWorkflowID reads the institution and, for a stage, the stage from a cycle's workflow
// IDs (workflows.CycleWorkflowID, workflows.StageWorkflowID): "cycle/H-01" is H-01's cycle,
// "cycle/H-01/1/self-evaluation-2" its second self-evaluation. Institution IDs hold no "/".
func parseWorkflowID(id string) (institution, stage string) {
	rest, ok := strings.CutPrefix(id, "cycle/")
	if !ok {
		return "", ""
	}
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) == 3 {
		stage = parts[2]
	}
	return parts[0], stage
}

// fromArgs finds the institution and step in an activity's input: the first argument that is
// a struct (or a pointer to one) with a string field InstitutionID or Step, as the
// read-model writes and notifications have.
func fromArgs(args []any) (institution, step string) {
	for _, a := range args {
		v := reflect.ValueOf(a)
		for v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			continue
		}
		institution, step = stringField(v, "InstitutionID"), stringField(v, "Step")
		if institution != "" || step != "" {
			return institution, step
		}
	}
	return "", ""
}

func stringField(v reflect.Value, name string) string {
	f := v.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}
