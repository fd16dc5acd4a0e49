package monitor

import "github.com/getsentry/sentry-go"

// beforeSend is the client's BeforeSend: it scrubs every string of the event, keeps only the
// user's id and department, drops the request and attachments, and fixes the server name.
func (s *scrubber) beforeSend(ev *sentry.Event, hint *sentry.EventHint) *sentry.Event {
	var secrets []string
	if hint != nil {
		if h, ok := hint.Data.(secretHint); ok {
			secrets = h
		}
	}
	s.event(ev, secrets)
	return ev
}

// beforeBreadcrumb is the client's BeforeBreadcrumb.
func (s *scrubber) beforeBreadcrumb(b *sentry.Breadcrumb, _ *sentry.BreadcrumbHint) *sentry.Breadcrumb {
	s.breadcrumb(b, nil)
	return b
}

func (s *scrubber) event(ev *sentry.Event, secrets []string) {
	t := func(v string) string { return s.text(v, secrets) }
	ev.ServerName = ServerName
	ev.User = onlyIDAndDepartment(ev.User)
	ev.Request = nil
	ev.Attachments = nil
	ev.Message = t(ev.Message)
	ev.Transaction = t(ev.Transaction)
	ev.Logger = t(ev.Logger)
	for i := range ev.Fingerprint {
		ev.Fingerprint[i] = t(ev.Fingerprint[i])
	}
	ev.Tags = s.stringMap(ev.Tags, secrets)
	for name, c := range ev.Contexts {
		ev.Contexts[name] = s.anyMap(c, secrets)
	}
	for _, b := range ev.Breadcrumbs {
		s.breadcrumb(b, secrets)
	}
	for i := range ev.Exception {
		s.exception(&ev.Exception[i], secrets)
	}
	for i := range ev.Threads {
		ev.Threads[i].Name = t(ev.Threads[i].Name)
		s.stack(ev.Threads[i].Stacktrace, secrets)
	}
}

func onlyIDAndDepartment(u sentry.User) sentry.User {
	out := sentry.User{ID: u.ID}
	if d := u.Data["department"]; d != "" {
		out.Data = map[string]string{"department": d}
	}
	return out
}

func (s *scrubber) breadcrumb(b *sentry.Breadcrumb, secrets []string) {
	if b == nil {
		return
	}
	b.Message = s.text(b.Message, secrets)
	b.Category = s.text(b.Category, secrets)
	b.Data = s.anyMap(b.Data, secrets)
}

func (s *scrubber) exception(e *sentry.Exception, secrets []string) {
	e.Value = s.text(e.Value, secrets)
	e.Type = s.text(e.Type, secrets)
	if e.Mechanism != nil {
		e.Mechanism.Description = s.text(e.Mechanism.Description, secrets)
		e.Mechanism.Data = s.anyMap(e.Mechanism.Data, secrets)
	}
	s.stack(e.Stacktrace, secrets)
}

// stack scrubs file paths (data and home directories, host name) and any source context or
// variables a frame may carry.
func (s *scrubber) stack(st *sentry.Stacktrace, secrets []string) {
	if st == nil {
		return
	}
	for i := range st.Frames {
		f := &st.Frames[i]
		f.AbsPath = s.hostname(s.path(f.AbsPath))
		f.Filename = s.hostname(s.path(f.Filename))
		f.ContextLine = s.text(f.ContextLine, secrets)
		for j := range f.PreContext {
			f.PreContext[j] = s.text(f.PreContext[j], secrets)
		}
		for j := range f.PostContext {
			f.PostContext[j] = s.text(f.PostContext[j], secrets)
		}
		f.Vars = s.anyMap(f.Vars, secrets)
	}
}
