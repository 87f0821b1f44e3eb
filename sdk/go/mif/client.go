package mif

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	api "github.com/mif-erp/erp/gen/api"
)

// Version is the version of this SDK, sent in the default User-Agent.
const Version = "0.1.0"

// DefaultUserAgent is the User-Agent of requests unless WithUserAgent or the request sets one.
const DefaultUserAgent = "mif-erp-go/" + Version

// APIPrefix is the path under which the server serves every route; New adds it to a base URL
// that does not end with it.
const APIPrefix = "/api/v1"

// Client is a MIF ERP API client. The embedded generated client gives every operation of the
// contract, typed (c.ListEquipementsWithResponse, c.GetEquipementWithResponse, ...); Client adds
// the session (Login, Refresh, Logout) and sends the access token with every request,
// refreshing it when the server answers 401.
//
// A Client is safe for concurrent use by multiple goroutines.
type Client struct {
	*api.ClientWithResponses

	base      *url.URL                 // the API root, ending with /api/v1
	http      *http.Client             // sends the token, refreshes it on 401
	anon      *api.ClientWithResponses // logs in and refreshes, never sends the token
	tokens    TokenStore
	userAgent string

	// refreshing is a one-slot semaphore held while tokens are exchanged, so that concurrent
	// requests failing with the same access token spend the refresh token only once.
	refreshing chan struct{}
}

// Option configures a Client built by New.
type Option func(*options)

type options struct {
	httpClient *http.Client
	userAgent  string
	tokens     TokenStore
	editors    []api.RequestEditorFn
}

// WithHTTPClient sends the requests with a copy of hc (its Transport, Timeout, Jar, redirect
// policy). hc itself is not modified: the Client wraps hc.Transport (http.DefaultTransport when
// nil) to add the User-Agent, the access token and the refresh on 401.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) { o.httpClient = hc }
}

// WithUserAgent replaces DefaultUserAgent.
func WithUserAgent(ua string) Option {
	return func(o *options) { o.userAgent = ua }
}

// WithTokenStore keeps the tokens in s instead of memory, for example to persist a session
// across runs. s may already hold a token pair: the Client uses it at once.
func WithTokenStore(s TokenStore) Option {
	return func(o *options) { o.tokens = s }
}

// WithRequestEditor adds fn to every request of the generated client, after the editors of the
// operation's parameters and before the ones passed to the call.
func WithRequestEditor(fn api.RequestEditorFn) Option {
	return func(o *options) { o.editors = append(o.editors, fn) }
}

// New returns a client of the API at baseURL: the server's root ("https://erp.example.com") or
// the versioned base ("https://erp.example.com/api/v1"); APIPrefix is added when missing.
func New(baseURL string, opts ...Option) (*Client, error) {
	base, err := apiBase(baseURL)
	if err != nil {
		return nil, err
	}
	o := options{httpClient: &http.Client{}, userAgent: DefaultUserAgent}
	for _, opt := range opts {
		opt(&o)
	}
	if o.httpClient == nil {
		o.httpClient = &http.Client{}
	}
	if o.tokens == nil {
		o.tokens = &MemoryTokenStore{}
	}
	c := &Client{base: base, tokens: o.tokens, userAgent: o.userAgent, refreshing: make(chan struct{}, 1)}

	next := o.httpClient.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	authed, plain := *o.httpClient, *o.httpClient
	authed.Transport = &transport{c: c, next: next, auth: true}
	plain.Transport = &transport{c: c, next: next}
	c.http = &authed

	genOpts := []api.ClientOption{api.WithHTTPClient(c.http)}
	for _, fn := range o.editors {
		genOpts = append(genOpts, api.WithRequestEditorFn(fn))
	}
	if c.ClientWithResponses, err = api.NewClientWithResponses(base.String(), genOpts...); err != nil {
		return nil, fmt.Errorf("mif: build client: %w", err)
	}
	if c.anon, err = api.NewClientWithResponses(base.String(), api.WithHTTPClient(&plain)); err != nil {
		return nil, fmt.Errorf("mif: build client: %w", err)
	}
	return c, nil
}

// BaseURL returns the API root the client calls, ending with APIPrefix.
func (c *Client) BaseURL() string { return c.base.String() }

// HTTPClient returns the *http.Client behind c: it adds the User-Agent and the access token and
// refreshes the token on 401, for the few calls better made by hand (downloads, event streams).
// Paths are relative to BaseURL.
func (c *Client) HTTPClient() *http.Client { return c.http }

// apiBase parses a base URL and makes it end with APIPrefix (without a trailing slash).
func apiBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("mif: base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("mif: base URL %q: want http(s)://host[/path]", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("mif: base URL %q: must not carry credentials, a query or a fragment", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if !strings.HasSuffix(u.Path, APIPrefix) {
		u.Path += APIPrefix
	}
	return u, nil
}

// sameOrigin reports whether u is on the API's scheme and host: the token is sent nowhere else
// (a redirect to another host, a pre-signed storage URL).
func (c *Client) sameOrigin(u *url.URL) bool {
	return strings.EqualFold(u.Scheme, c.base.Scheme) && strings.EqualFold(u.Host, c.base.Host)
}
