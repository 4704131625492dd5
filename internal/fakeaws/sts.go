package fakeaws

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// STSCredentials are the temporary credentials the STS fake hands out.
// Tests use them to assert that no secret reaches a log.
type STSCredentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// STS is a fake of STS AssumeRoleWithWebIdentity and GetCallerIdentity
// (query protocol: form POST in, XML out).
type STS struct {
	URL     string
	Account string
	Creds   STSCredentials
	// Expires is when the handed-out credentials expire.
	Expires time.Time
	// MaxSessionDuration is the role's maximum session length: a longer
	// DurationSeconds is refused, as IAM does (default one hour).
	MaxSessionDuration time.Duration

	mu        sync.Mutex
	denied    bool
	trust     map[string]string // role ARN -> the only sub claim it trusts, of Trust
	tokens    []string
	sessions  []string
	roles     []string
	durations []int
	assumed   string // the ARN of the last role session handed out
	callers   int
	users     map[string]string // access key ID -> ARN, of AddUser
}

// NewSTS starts the fake; it stops when the test ends.
func NewSTS(t testing.TB) *STS {
	t.Helper()
	s := &STS{
		Account: "123456789012",
		Creds: STSCredentials{
			AccessKeyID:     "ASIAFAKESTSACCESSKEY",
			SecretAccessKey: "fake-sts-secret-access-key-do-not-print",
			SessionToken:    "fake-sts-session-token-do-not-print",
		},
		Expires:            time.Now().Add(time.Hour).UTC().Truncate(time.Second),
		MaxSessionDuration: time.Hour,
	}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// AddUser makes GetCallerIdentity know requests signed with accessKeyID
// as the IAM user name of the fake's account: long-lived keys, as a
// developer's profile holds them.
func (s *STS) AddUser(accessKeyID, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users == nil {
		s.users = map[string]string{}
	}
	s.users[accessKeyID] = "arn:aws:iam::" + s.Account + ":user/" + name
}

// Deny makes AssumeRoleWithWebIdentity answer AccessDenied, as STS does when
// the role's trust policy does not match the token.
func (s *STS) Deny(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied = deny
}

// Trust gives role a trust policy condition on the token's sub claim, as
// IAM's StringEquals on token.actions.githubusercontent.com:sub: a token with
// another subject is refused with AccessDenied. Roles without one trust any
// token.
func (s *STS) Trust(role, subject string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.trust == nil {
		s.trust = map[string]string{}
	}
	s.trust[role] = subject
}

// Tokens returns the web identity tokens received, in order.
func (s *STS) Tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tokens...)
}

// SessionNames returns the RoleSessionName values received, in order.
func (s *STS) SessionNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sessions...)
}

// Roles returns the RoleArn values received, in order.
func (s *STS) Roles() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.roles...)
}

// Durations returns the DurationSeconds values received (0 when absent),
// in order.
func (s *STS) Durations() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.durations...)
}

// CallerIdentityCalls counts GetCallerIdentity requests.
func (s *STS) CallerIdentityCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callers
}

type stsCredentialsXML struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumeRoleWithWebIdentityResponse struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ AssumeRoleWithWebIdentityResponse"`
	Result  struct {
		SubjectFromWebIdentityToken string            `xml:"SubjectFromWebIdentityToken"`
		Audience                    string            `xml:"Audience"`
		Provider                    string            `xml:"Provider"`
		Credentials                 stsCredentialsXML `xml:"Credentials"`
		AssumedRoleUser             struct {
			Arn           string `xml:"Arn"`
			AssumedRoleID string `xml:"AssumedRoleId"`
		} `xml:"AssumedRoleUser"`
	} `xml:"AssumeRoleWithWebIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

type getCallerIdentityResponse struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ GetCallerIdentityResponse"`
	Result  struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

type stsErrorResponse struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ ErrorResponse"`
	Type    string   `xml:"Error>Type"`
	Code    string   `xml:"Error>Code"`
	Message string   `xml:"Error>Message"`
	ID      string   `xml:"RequestId"`
}

func (s *STS) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeSTSError(w, 400, "InvalidAction", "expected POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeSTSError(w, 400, "MalformedInput", err.Error())
		return
	}
	switch a := r.PostForm.Get("Action"); a {
	case "AssumeRoleWithWebIdentity":
	case "GetCallerIdentity":
		s.callerIdentity(w, r)
		return
	default:
		writeSTSError(w, 400, "InvalidAction", fmt.Sprintf("Could not find operation %s", a))
		return
	}
	role := r.PostForm.Get("RoleArn")
	session := r.PostForm.Get("RoleSessionName")
	token := r.PostForm.Get("WebIdentityToken")
	duration, _ := strconv.Atoi(r.PostForm.Get("DurationSeconds"))

	s.mu.Lock()
	s.tokens = append(s.tokens, token)
	s.sessions = append(s.sessions, session)
	s.roles = append(s.roles, role)
	s.durations = append(s.durations, duration)
	denied, maxDuration := s.denied, s.MaxSessionDuration
	if want, ok := s.trust[role]; ok && tokenSubject(token) != want {
		denied = true
	}
	s.mu.Unlock()

	if role == "" || session == "" || token == "" {
		writeSTSError(w, 400, "ValidationError", "RoleArn, RoleSessionName and WebIdentityToken are required")
		return
	}
	if denied {
		writeSTSError(w, 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
		return
	}
	// STS's own checks on DurationSeconds, with its wording.
	if d := r.PostForm.Get("DurationSeconds"); d != "" && (duration < 900 || duration > 43200) {
		bound := "greater than or equal to 900"
		if duration > 43200 {
			bound = "less than or equal to 43200"
		}
		writeSTSError(w, 400, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value %s", d, bound))
		return
	}
	if time.Duration(duration)*time.Second > maxDuration {
		writeSTSError(w, 400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		return
	}
	var out assumeRoleWithWebIdentityResponse
	out.Result.SubjectFromWebIdentityToken = tokenSubject(token)
	out.Result.Audience = "sts.amazonaws.com"
	out.Result.Provider = "arn:aws:iam::" + s.Account + ":oidc-provider/token.actions.githubusercontent.com"
	out.Result.Credentials = stsCredentialsXML{
		AccessKeyID: s.Creds.AccessKeyID, SecretAccessKey: s.Creds.SecretAccessKey,
		SessionToken: s.Creds.SessionToken, Expiration: s.Expires.Format(time.RFC3339),
	}
	out.Result.AssumedRoleUser.Arn = fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", s.Account, roleName(role), session)
	out.Result.AssumedRoleUser.AssumedRoleID = "AROAFAKEROLEID:" + session
	out.RequestID = "sts-request-1"
	s.mu.Lock()
	s.assumed = out.Result.AssumedRoleUser.Arn
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	_ = xml.NewEncoder(w).Encode(out)
}

// callerIdentity answers GetCallerIdentity for the credentials the fake
// handed out (the request must be signed with them): the role session.
// Other keys are a caller the fake does not know.
func (s *STS) callerIdentity(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.callers++
	var caller string // "" for keys the fake did not hand out or register
	if m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		caller = s.users[m[1]]
		if m[1] == s.Creds.AccessKeyID {
			caller = s.assumed
		}
	}
	s.mu.Unlock()
	if caller == "" {
		writeSTSError(w, 403, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	}
	var out getCallerIdentityResponse
	out.Result.Arn = caller
	out.Result.UserID = "AROAFAKEROLEID:" + roleName(caller)
	out.Result.Account = s.Account
	out.RequestID = "sts-request-2"
	w.Header().Set("Content-Type", "text/xml")
	_ = xml.NewEncoder(w).Encode(out)
}

func roleName(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}

func writeSTSError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_ = xml.NewEncoder(w).Encode(stsErrorResponse{Type: "Sender", Code: code, Message: msg, ID: "sts-error-1"})
}

// tokenSubject is the sub claim of a JSON web token, "" when it has none.
// The fake trusts what the OIDC fake signed with its fake signature.
func tokenSubject(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	return claims.Sub
}
