package mif

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	api "github.com/mif-erp/erp/gen/api"
)

// Token is a session: the access token sent as `Authorization: Bearer` and the single-use
// refresh token that gets the next pair. The zero Token is no session.
type Token struct {
	AccessToken  string
	RefreshToken string
	// Expiry is when the access token expires (zero: unknown); the client refreshes it shortly
	// before rather than waiting for a 401.
	Expiry time.Time
	// RefreshExpiry is when the refresh token expires (zero: unknown).
	RefreshExpiry time.Time
}

// IsZero reports whether t holds no access token.
func (t Token) IsZero() bool { return t.AccessToken == "" }

// tokenFrom turns the server's answer into a Token, its lifetimes counted from now.
func tokenFrom(r *api.TokenResponse, now time.Time) Token {
	t := Token{AccessToken: r.AccessToken, RefreshToken: r.RefreshToken}
	if r.ExpiresIn > 0 {
		t.Expiry = now.Add(time.Duration(r.ExpiresIn) * time.Second)
	}
	if r.RefreshExpiresIn > 0 {
		t.RefreshExpiry = now.Add(time.Duration(r.RefreshExpiresIn) * time.Second)
	}
	return t
}

// TokenStore keeps a client's session. Implementations must be safe for concurrent use; a
// store may persist the tokens (a file, a keychain) so a program resumes its session. The
// client reads the store before every request and writes it after Login, each refresh and
// Logout (the zero Token).
type TokenStore interface {
	// Token returns the current session, the zero Token when there is none.
	Token(ctx context.Context) (Token, error)
	// SetToken replaces the session; the zero Token forgets it.
	SetToken(ctx context.Context, t Token) error
}

// MemoryTokenStore is the default TokenStore: the session lives in memory. Its zero value is
// ready to use.
type MemoryTokenStore struct {
	mu  sync.Mutex
	tok Token
}

// Token implements TokenStore.
func (s *MemoryTokenStore) Token(context.Context) (Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tok, nil
}

// SetToken implements TokenStore.
func (s *MemoryTokenStore) SetToken(_ context.Context, t Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tok = t
	return nil
}

// ErrNoSession is returned by Refresh when the client holds no refresh token.
var ErrNoSession = errors.New("mif: no session (log in first)")

// expirySkew is how long before its expiry an access token is refreshed.
const expirySkew = 30 * time.Second

// refreshTimeout bounds a token exchange. The exchange is not cancelled with the request that
// started it: a refresh token the server consumed but whose successor was never stored would end
// the session.
const refreshTimeout = 30 * time.Second

// Token returns the client's current session (the zero Token when logged out).
func (c *Client) Token(ctx context.Context) (Token, error) {
	t, err := c.tokens.Token(ctx)
	if err != nil {
		return Token{}, fmt.Errorf("mif: read token store: %w", err)
	}
	return t, nil
}

// Login opens a session (POST /auth/token): identifier is a username or an e-mail address.
// The tokens are kept in the client's TokenStore and sent with every later request. Wrong
// credentials give a *Problem with Status 401 (and 429 after repeated failures).
func (c *Client) Login(ctx context.Context, identifier, password string) (Token, error) {
	if err := c.lock(ctx); err != nil {
		return Token{}, fmt.Errorf("mif: login: %w", err)
	}
	defer c.unlock()
	resp, err := c.anon.LoginForTokenWithFormdataBodyWithResponse(ctx,
		api.LoginForTokenFormdataRequestBody{Username: &identifier, Password: password})
	if err != nil {
		return Token{}, fmt.Errorf("mif: login: %w", err)
	}
	t, err := tokenOf(resp.JSON200, resp.HTTPResponse, resp.Body)
	if err != nil {
		return Token{}, fmt.Errorf("mif: login: %w", err)
	}
	if err := c.tokens.SetToken(ctx, t); err != nil {
		return Token{}, fmt.Errorf("mif: login: save tokens: %w", err)
	}
	return t, nil
}

// Refresh exchanges the refresh token for a new pair now (POST /auth/refresh); the client also
// does it by itself when the access token expires or is refused. A refused refresh token
// (*Problem 401, 403) ends the session: the store is emptied.
func (c *Client) Refresh(ctx context.Context) (Token, error) {
	cur, err := c.Token(ctx)
	if err != nil {
		return Token{}, err
	}
	return c.refreshAfter(ctx, cur.AccessToken)
}

// Logout ends the session on the server (POST /auth/logout revokes every refresh token of the
// account) and forgets the tokens, even when the server call fails. Without a session it does
// nothing.
func (c *Client) Logout(ctx context.Context) error {
	cur, err := c.Token(ctx)
	if err != nil || cur.IsZero() {
		return err
	}
	resp, callErr := c.LogoutWithResponse(ctx)
	if callErr == nil {
		callErr = CheckResponse(resp.HTTPResponse, resp.Body)
	}
	if err := c.lock(ctx); err != nil {
		return fmt.Errorf("mif: logout: %w", err)
	}
	defer c.unlock()
	if err := c.tokens.SetToken(ctx, Token{}); err != nil {
		return fmt.Errorf("mif: logout: forget tokens: %w", err)
	}
	if callErr != nil {
		return fmt.Errorf("mif: logout: %w", callErr)
	}
	return nil
}

// lock takes the token semaphore, or gives up with ctx.
func (c *Client) lock(ctx context.Context) error {
	select {
	case c.refreshing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) unlock() { <-c.refreshing }

// refreshAfter replaces the session whose access token is stale, once: a caller that finds
// another access token in the store when its turn comes gets that one (another goroutine
// refreshed meanwhile) instead of spending the refresh token again.
func (c *Client) refreshAfter(ctx context.Context, stale string) (Token, error) {
	if err := c.lock(ctx); err != nil {
		return Token{}, fmt.Errorf("mif: refresh: %w", err)
	}
	defer c.unlock()
	cur, err := c.Token(ctx)
	if err != nil {
		return Token{}, err
	}
	if !cur.IsZero() && cur.AccessToken != stale {
		return cur, nil
	}
	if cur.RefreshToken == "" {
		return Token{}, ErrNoSession
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	defer cancel()
	resp, err := c.anon.RefreshTokenWithFormdataBodyWithResponse(ctx,
		api.RefreshTokenFormdataRequestBody{RefreshToken: cur.RefreshToken})
	if err != nil {
		return Token{}, fmt.Errorf("mif: refresh: %w", err)
	}
	next, err := tokenOf(resp.JSON200, resp.HTTPResponse, resp.Body)
	if err != nil {
		if HasStatus(err, http.StatusUnauthorized) || HasStatus(err, http.StatusForbidden) {
			_ = c.tokens.SetToken(ctx, Token{}) // the session is over; the refusal is the error to report
		}
		return Token{}, fmt.Errorf("mif: refresh: %w", err)
	}
	if err := c.tokens.SetToken(ctx, next); err != nil {
		return Token{}, fmt.Errorf("mif: refresh: save tokens: %w", err)
	}
	return next, nil
}

// tokenOf reads a TokenPair answer.
func tokenOf(body *api.TokenResponse, resp *http.Response, raw []byte) (Token, error) {
	if err := CheckResponse(resp, raw); err != nil {
		return Token{}, err
	}
	if body == nil || body.AccessToken == "" {
		return Token{}, fmt.Errorf("unexpected answer %s without tokens", resp.Status)
	}
	return tokenFrom(body, time.Now()), nil
}

// transport adds the User-Agent and, for an authenticating client, the access token to every
// request to the API's origin; on a 401 with a refresh token at hand it refreshes the session
// (once for all the requests refused with the same token) and sends the request again.
type transport struct {
	c    *Client
	next http.RoundTripper
	auth bool
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	out := t.prepare(req, req.Body)
	if !t.auth || req.Header.Get("Authorization") != "" || !t.c.sameOrigin(req.URL) {
		return t.next.RoundTrip(out)
	}
	tok, err := t.c.currentToken(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	if tok.IsZero() {
		return t.next.RoundTrip(out)
	}
	out.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := t.next.RoundTrip(out)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || tok.RefreshToken == "" {
		return resp, err
	}
	hasBody := req.Body != nil && req.Body != http.NoBody
	if hasBody && req.GetBody == nil {
		return resp, nil // the body is spent and cannot be sent again: the 401 stands
	}
	fresh, err := t.c.refreshAfter(ctx, tok.AccessToken)
	if err != nil {
		return resp, nil // the session could not be renewed: the 401 stands
	}
	var body io.ReadCloser
	if hasBody {
		if body, err = req.GetBody(); err != nil {
			return resp, nil
		}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	_ = resp.Body.Close()
	retry := t.prepare(req, body)
	retry.Header.Set("Authorization", "Bearer "+fresh.AccessToken)
	return t.next.RoundTrip(retry)
}

// prepare copies req (a RoundTripper must not change it) with body and the User-Agent.
func (t *transport) prepare(req *http.Request, body io.ReadCloser) *http.Request {
	out := req.Clone(req.Context())
	out.Body = body
	if out.Header.Get("User-Agent") == "" && t.c.userAgent != "" {
		out.Header.Set("User-Agent", t.c.userAgent)
	}
	return out
}

// currentToken returns the session to send, refreshed first when its access token is about to
// expire (when that refresh fails, the old token is sent and the server decides).
func (c *Client) currentToken(ctx context.Context) (Token, error) {
	tok, err := c.Token(ctx)
	if err != nil || tok.IsZero() || tok.RefreshToken == "" || tok.Expiry.IsZero() ||
		time.Until(tok.Expiry) > expirySkew {
		return tok, err
	}
	if fresh, err := c.refreshAfter(ctx, tok.AccessToken); err == nil {
		return fresh, nil
	}
	return tok, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
