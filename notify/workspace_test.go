package notify_test

// A Slack workspace for the tests: slacktest's server, which the real slack-go client talks to
// over HTTP, with the endpoints slacktest lacks or keeps too simple for delivery added here:
// chat.postMessage with message metadata and unique timestamps, chat.update,
// conversations.open, conversations.history with include_all_metadata and files,
// users.lookupByEmail and users.info over a directory of members, the file upload of
// files.getUploadURLExternal, the upload URL and files.completeUploadExternal, views.publish
// and views.open, chat.postEphemeral, and the response URLs of clicks. Failures are injected
// per method.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
)

// posted is a message in the workspace.
type posted struct {
	Channel  string
	TS       string
	Text     string
	Blocks   string // the blocks as JSON
	Metadata slack.SlackMetadata
	Updates  int
	// Files are the files shared with the message (files.completeUploadExternal).
	Files []sharedFile
}

// sharedFile is a file uploaded and shared in a conversation.
type sharedFile struct {
	ID      string
	Name    string
	Title   string
	Content string
}

// ephemeral is a message only one user sees: chat.postEphemeral, or a reply to a click's
// response URL (Channel is then "response:<id>").
type ephemeral struct {
	Channel string
	User    string
	Text    string
}

// key is the notification key the message carries in its metadata.
func (p posted) key() string { return fmt.Sprint(p.Metadata.EventPayload["key"]) }

// reply is an injected answer to the next call of a method.
type reply struct {
	status     int
	retryAfter string
	err        string // a Slack error code, with status 200
}

type workspace struct {
	t   testing.TB
	srv *slacktest.Server

	mu       sync.Mutex
	seq      int
	members  map[string]string // e-mail -> user ID
	inactive map[string]bool   // user IDs of deactivated members
	channels map[string]bool   // channels that exist (D... ones always do)
	messages []*posted
	calls    map[string]int
	lookups  map[string]int // e-mail -> users.lookupByEmail calls
	inject   map[string][]reply

	sockets    chan *websocket.Conn   // Socket Mode connections the app opened
	uploads    map[string]*sharedFile // file ID -> an upload not yet shared
	homes      map[string][]string    // user ID -> the App Home views published, as JSON
	modals     []string               // the views opened, as JSON
	ephemerals []ephemeral
}

func newWorkspace(t testing.TB) *workspace {
	w := &workspace{t: t, members: map[string]string{}, inactive: map[string]bool{}, channels: map[string]bool{},
		calls: map[string]int{}, lookups: map[string]int{}, inject: map[string][]reply{},
		uploads: map[string]*sharedFile{}, homes: map[string][]string{}, sockets: make(chan *websocket.Conn, 4)}
	w.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", w.handle("chat.postMessage", w.postMessage))
		c.Handle("/chat.update", w.handle("chat.update", w.update))
		c.Handle("/chat.postEphemeral", w.handle("chat.postEphemeral", w.postEphemeral))
		c.Handle("/conversations.open", w.handle("conversations.open", w.open))
		c.Handle("/conversations.history", w.handle("conversations.history", w.history))
		c.Handle("/users.lookupByEmail", w.handle("users.lookupByEmail", w.lookup))
		c.Handle("/users.info", w.handle("users.info", w.userInfo))
		c.Handle("/files.getUploadURLExternal", w.handle("files.getUploadURLExternal", w.uploadURL))
		c.Handle("/upload/", w.upload)
		c.Handle("/files.completeUploadExternal", w.handle("files.completeUploadExternal", w.completeUpload))
		c.Handle("/views.publish", w.handle("views.publish", w.publishView))
		c.Handle("/views.open", w.handle("views.open", w.openView))
		c.Handle("/response/", w.respond)
		c.Handle("/apps.connections.open", w.handle("apps.connections.open", w.connectionsOpen))
		c.Handle("/socket-mode", w.socket)
	})
	w.srv.Start()
	t.Cleanup(w.srv.Stop)
	return w
}

// URL is the API URL for ACCREDIT_SLACK_API_URL.
func (w *workspace) URL() string { return w.srv.GetAPIURL() }

func (w *workspace) member(email, id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.members[strings.ToLower(email)] = id
}

func (w *workspace) deactivate(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inactive[id] = true
}

func (w *workspace) channel(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.channels[id] = true
}

// fail makes the next calls of method answer with replies, in order.
func (w *workspace) fail(method string, replies ...reply) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inject[method] = append(w.inject[method], replies...)
}

func (w *workspace) count(method string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.calls[method]
}

func (w *workspace) lookupsOf(email string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lookups[strings.ToLower(email)]
}

// posts are the messages posted, in order.
func (w *workspace) posts() []posted {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]posted, len(w.messages))
	for i, m := range w.messages {
		out[i] = *m
	}
	return out
}

// postsIn are the messages of one channel.
func (w *workspace) postsIn(channel string) []posted {
	var out []posted
	for _, p := range w.posts() {
		if p.Channel == channel {
			out = append(out, p)
		}
	}
	return out
}

// byKey is the messages carrying a notification key.
func (w *workspace) byKey(key string) []posted {
	var out []posted
	for _, p := range w.posts() {
		if p.key() == key {
			out = append(out, p)
		}
	}
	return out
}

func (w *workspace) handle(method string, h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		w.mu.Lock()
		w.calls[method]++
		var injected *reply
		if q := w.inject[method]; len(q) > 0 {
			injected, w.inject[method] = &q[0], q[1:]
		}
		w.mu.Unlock()
		if injected != nil {
			switch {
			case injected.status == http.StatusTooManyRequests:
				rw.Header().Set("Retry-After", injected.retryAfter)
				http.Error(rw, "rate limited", injected.status)
			case injected.status != 0:
				http.Error(rw, "<html>Slack is down</html>", injected.status)
			default:
				w.json(rw, map[string]any{"ok": false, "error": injected.err})
			}
			return
		}
		h(rw, r)
	}
}

func (w *workspace) json(rw http.ResponseWriter, v any) {
	rw.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(rw).Encode(v); err != nil {
		w.t.Error(err)
	}
}

func (w *workspace) exists(channel string) bool {
	return strings.HasPrefix(channel, "D") || w.channels[channel]
}

func (w *workspace) postMessage(rw http.ResponseWriter, r *http.Request) {
	channel := r.Form.Get("channel")
	var md slack.SlackMetadata
	if raw := r.Form.Get("metadata"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &md); err != nil {
			w.json(rw, map[string]any{"ok": false, "error": "invalid_metadata_format"})
			return
		}
	}
	var blocks slack.Blocks
	if raw := r.Form.Get("blocks"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
			w.json(rw, map[string]any{"ok": false, "error": "invalid_blocks"})
			return
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.exists(channel) {
		w.json(rw, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	w.seq++
	p := &posted{Channel: channel, TS: fmt.Sprintf("%d.%06d", time.Now().Unix(), w.seq), Text: r.Form.Get("text"),
		Blocks: r.Form.Get("blocks"), Metadata: md}
	w.messages = append(w.messages, p)
	w.json(rw, map[string]any{"ok": true, "channel": channel, "ts": p.TS})
}

func (w *workspace) update(rw http.ResponseWriter, r *http.Request) {
	channel, ts := r.Form.Get("channel"), r.Form.Get("ts")
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range w.messages {
		if m.Channel == channel && m.TS == ts {
			m.Text, m.Blocks = r.Form.Get("text"), r.Form.Get("blocks")
			m.Updates++
			w.json(rw, map[string]any{"ok": true, "channel": channel, "ts": ts})
			return
		}
	}
	w.json(rw, map[string]any{"ok": false, "error": "message_not_found"})
}

func (w *workspace) open(rw http.ResponseWriter, r *http.Request) {
	users := r.Form.Get("users")
	w.mu.Lock()
	inactive := w.inactive[users]
	w.mu.Unlock()
	if users == "" || strings.Contains(users, ",") {
		w.json(rw, map[string]any{"ok": false, "error": "user_not_found"})
		return
	}
	if inactive {
		w.json(rw, map[string]any{"ok": false, "error": "account_inactive"})
		return
	}
	w.json(rw, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + users}})
}

// history answers newest first, in pages of limit, with the metadata only when asked for.
func (w *workspace) history(rw http.ResponseWriter, r *http.Request) {
	channel := r.Form.Get("channel")
	oldest, _ := strconv.ParseFloat(r.Form.Get("oldest"), 64)
	limit, _ := strconv.Atoi(r.Form.Get("limit"))
	if limit <= 0 {
		limit = 100
	}
	from, _ := strconv.Atoi(r.Form.Get("cursor"))
	withMetadata := r.Form.Get("include_all_metadata") == "1"
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.exists(channel) {
		w.json(rw, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	var all []map[string]any
	for _, m := range slices.Backward(w.messages) {
		ts, _ := strconv.ParseFloat(m.TS, 64)
		if m.Channel != channel || ts < oldest {
			continue
		}
		msg := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
		if withMetadata {
			msg["metadata"] = m.Metadata
		}
		if len(m.Files) > 0 {
			var files []map[string]any
			for _, f := range m.Files {
				files = append(files, map[string]any{"id": f.ID, "name": f.Name, "title": f.Title})
			}
			msg["files"] = files
		}
		all = append(all, msg)
	}
	page := all[min(from, len(all)):min(from+limit, len(all))]
	resp := map[string]any{"ok": true, "messages": page, "has_more": from+limit < len(all)}
	if from+limit < len(all) {
		resp["response_metadata"] = map[string]any{"next_cursor": strconv.Itoa(from + limit)}
	}
	w.json(rw, resp)
}

func (w *workspace) lookup(rw http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(r.Form.Get("email"))
	w.mu.Lock()
	w.lookups[email]++
	id, ok := w.members[email]
	deleted := w.inactive[id]
	w.mu.Unlock()
	if !ok {
		w.json(rw, map[string]any{"ok": false, "error": "users_not_found"})
		return
	}
	w.json(rw, map[string]any{"ok": true, "user": map[string]any{"id": id, "name": email, "deleted": deleted}})
}

// userInfo answers users.info from the directory of members.
func (w *workspace) userInfo(rw http.ResponseWriter, r *http.Request) {
	id := r.Form.Get("user")
	w.mu.Lock()
	email := ""
	for e, u := range w.members {
		if u == id {
			email = e
		}
	}
	deleted := w.inactive[id]
	w.mu.Unlock()
	if email == "" {
		w.json(rw, map[string]any{"ok": false, "error": "user_not_found"})
		return
	}
	w.json(rw, map[string]any{"ok": true, "user": map[string]any{"id": id, "name": email, "deleted": deleted,
		"profile": map[string]any{"email": email}}})
}

func (w *workspace) postEphemeral(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	channel := r.Form.Get("channel")
	if !w.exists(channel) {
		w.json(rw, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	w.ephemerals = append(w.ephemerals, ephemeral{Channel: channel, User: r.Form.Get("user"), Text: r.Form.Get("text")})
	w.json(rw, map[string]any{"ok": true, "message_ts": fmt.Sprintf("%d.%06d", time.Now().Unix(), len(w.ephemerals))})
}

// responseURL is a response URL of a click, answered by this workspace.
func (w *workspace) responseURL(id string) string {
	return strings.TrimSuffix(w.URL(), "/") + "/response/" + id
}

func (w *workspace) respond(rw http.ResponseWriter, r *http.Request) {
	var msg slack.WebhookMessage
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	w.ephemerals = append(w.ephemerals, ephemeral{Channel: "response:" + strings.TrimPrefix(r.URL.Path, "/response/"),
		Text: msg.Text})
	if msg.ResponseType != slack.ResponseTypeEphemeral || msg.ReplaceOriginal {
		w.t.Errorf("a reply to a click is %q, replace_original %t: want an ephemeral reply beside the message", msg.ResponseType, msg.ReplaceOriginal)
	}
	w.mu.Unlock()
	_, _ = rw.Write([]byte("ok"))
}

// replies are the messages only one user saw, in order.
func (w *workspace) replies() []ephemeral {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]ephemeral(nil), w.ephemerals...)
}

func (w *workspace) uploadURL(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	id := fmt.Sprintf("F%06d", w.seq)
	w.uploads[id] = &sharedFile{ID: id, Name: r.Form.Get("filename")}
	w.json(rw, map[string]any{"ok": true, "file_id": id, "upload_url": strings.TrimSuffix(w.URL(), "/") + "/upload/" + id})
}

func (w *workspace) upload(rw http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	f, _, err := r.FormFile("file")
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	data, err := io.ReadAll(f)
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	up, ok := w.uploads[id]
	if !ok {
		http.Error(rw, "no such upload", http.StatusNotFound)
		return
	}
	up.Content = string(data)
	_, _ = rw.Write([]byte("OK - " + strconv.Itoa(len(data))))
}

func (w *workspace) completeUpload(rw http.ResponseWriter, r *http.Request) {
	var files []slack.FileSummary
	if err := json.Unmarshal([]byte(r.Form.Get("files")), &files); err != nil || len(files) != 1 {
		w.json(rw, map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	}
	channel := r.Form.Get("channel_id")
	w.mu.Lock()
	defer w.mu.Unlock()
	up, ok := w.uploads[files[0].ID]
	if !ok || up.Content == "" {
		w.json(rw, map[string]any{"ok": false, "error": "file_not_found"})
		return
	}
	if !w.exists(channel) {
		w.json(rw, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	delete(w.uploads, files[0].ID)
	up.Title = files[0].Title
	w.seq++
	w.messages = append(w.messages, &posted{Channel: channel, TS: fmt.Sprintf("%d.%06d", time.Now().Unix(), w.seq),
		Text: r.Form.Get("initial_comment"), Files: []sharedFile{*up}})
	w.json(rw, map[string]any{"ok": true, "files": []map[string]any{{"id": up.ID, "title": up.Title}}})
}

// filesIn are the files shared in a conversation, in order.
func (w *workspace) filesIn(channel string) []sharedFile {
	var out []sharedFile
	for _, p := range w.postsIn(channel) {
		out = append(out, p.Files...)
	}
	return out
}

// readJSON reads a JSON request body (the views methods post JSON, not a form).
func readJSON(r *http.Request, v any) error {
	if r.Header.Get("Content-Type") != "" && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return fmt.Errorf("content type %s", r.Header.Get("Content-Type"))
	}
	return json.NewDecoder(r.Body).Decode(v)
}

func (w *workspace) publishView(rw http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID string          `json:"user_id"`
		View   json.RawMessage `json:"view"`
	}
	if err := readJSON(r, &req); err != nil || req.UserID == "" {
		w.json(rw, map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	}
	w.mu.Lock()
	w.homes[req.UserID] = append(w.homes[req.UserID], string(req.View))
	w.mu.Unlock()
	w.json(rw, map[string]any{"ok": true, "view": map[string]any{"id": "V" + req.UserID}})
}

// homesOf are the App Home views published for a user, oldest first.
func (w *workspace) homesOf(user string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.homes[user]...)
}

func (w *workspace) openView(rw http.ResponseWriter, r *http.Request) {
	var req struct {
		TriggerID string          `json:"trigger_id"`
		View      json.RawMessage `json:"view"`
	}
	if err := readJSON(r, &req); err != nil || req.TriggerID == "" {
		w.json(rw, map[string]any{"ok": false, "error": "invalid_trigger"})
		return
	}
	w.mu.Lock()
	w.modals = append(w.modals, string(req.View))
	w.mu.Unlock()
	w.json(rw, map[string]any{"ok": true, "view": map[string]any{"id": "VMODAL"}})
}

// openedModals are the views opened, as JSON.
func (w *workspace) openedModals() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.modals...)
}

// connectionsOpen answers apps.connections.open with this workspace's Socket Mode URL.
func (w *workspace) connectionsOpen(rw http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer xapp-") {
		w.json(rw, map[string]any{"ok": false, "error": "not_allowed_token_type"})
		return
	}
	url := "ws" + strings.TrimPrefix(strings.TrimSuffix(w.URL(), "/"), "http") + "/socket-mode"
	w.json(rw, map[string]any{"ok": true, "url": url})
}

// socket accepts a Socket Mode connection and hands it to the test.
func (w *workspace) socket(rw http.ResponseWriter, r *http.Request) {
	conn, err := (&websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}).Upgrade(rw, r, nil)
	if err != nil {
		w.t.Errorf("socket mode upgrade: %v", err)
		return
	}
	w.sockets <- conn
}
