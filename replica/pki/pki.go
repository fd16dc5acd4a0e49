// Package pki is the team's small certificate authority: management creates one CA for the team,
// issues every collaborator a client certificate whose Common Name is their etcd user name, and
// can issue server certificates for the office's etcd members (labs, `make team-demo`).
//
// Every key is ECDSA P-256. Certificates and keys are PEM: certificates as "CERTIFICATE",
// keys as PKCS #8 "PRIVATE KEY". Key files are written with mode 0600, atomically.
//
// A client certificate cannot be revoked by this package: etcd maps its Common Name to an etcd
// user, so deleting that user (replica/access.Revoke) is what cuts the identity off.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// Validity periods of what this package issues.
const (
	// CAValidity is how long a team CA is valid: ten years.
	CAValidity = 10 * 365 * 24 * time.Hour
	// ClientValidity is how long a collaborator's client certificate is valid: one year. A
	// certificate is cut off earlier by deleting its etcd user; expiry bounds how long a copied
	// key stays useful while its owner remains a collaborator.
	ClientValidity = 365 * 24 * time.Hour
	// ServerValidity is how long an etcd member's server certificate is valid: two years.
	ServerValidity = 2 * 365 * 24 * time.Hour
)

// backdate is how far before now a certificate starts, so that a laptop whose clock is a little
// behind the issuer's accepts it at once.
const backdate = time.Hour

// organization names the issuer in every certificate's subject.
const organization = "Epic Events"

var (
	// ErrNotCA is returned when a certificate given as a CA is not one.
	ErrNotCA = errors.New("certificate is not a certificate authority")
	// ErrKeyMismatch is returned when a private key does not belong to its certificate.
	ErrKeyMismatch = errors.New("private key does not match the certificate")
	// ErrEmptyName is returned for an empty Common Name or an empty list of hosts.
	ErrEmptyName = errors.New("name is empty")
)

// Cert is a certificate with its private key, as issued by a CA.
type Cert struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
}

// CA is the team's certificate authority: its self-signed certificate and its key.
type CA struct {
	Cert
}

// NewCA creates a self-signed CA named commonName, valid for CAValidity from now.
func NewCA(commonName string) (*CA, error) {
	if strings.TrimSpace(commonName) == "" {
		return nil, fmt.Errorf("new ca: %w", ErrEmptyName)
	}
	key, err := newKey()
	if err != nil {
		return nil, fmt.Errorf("new ca: %w", err)
	}
	tmpl, err := template(commonName, CAValidity)
	if err != nil {
		return nil, fmt.Errorf("new ca: %w", err)
	}
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.MaxPathLenZero = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	cert, err := sign(tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("new ca: %w", err)
	}
	return &CA{Cert{Cert: cert, Key: key}}, nil
}

// NewCAFrom checks that c is a CA certificate with its own key and returns it as a CA.
func NewCAFrom(c *Cert) (*CA, error) {
	if !c.Cert.IsCA {
		return nil, fmt.Errorf("load ca: %w", ErrNotCA)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("load ca: %w", err)
	}
	return &CA{*c}, nil
}

// IssueClient issues a client certificate for the etcd user named user: its Common Name is user
// (etcd's --client-cert-auth takes it as the user name), valid for ClientValidity.
func (ca *CA) IssueClient(user string) (*Cert, error) {
	if strings.TrimSpace(user) == "" {
		return nil, fmt.Errorf("issue client certificate: %w", ErrEmptyName)
	}
	tmpl, err := template(user, ClientValidity)
	if err != nil {
		return nil, fmt.Errorf("issue client certificate %q: %w", user, err)
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	c, err := ca.issue(tmpl)
	if err != nil {
		return nil, fmt.Errorf("issue client certificate %q: %w", user, err)
	}
	return c, nil
}

// IssueServer issues a certificate for an etcd member reached under hosts (DNS names or IP
// addresses), valid for ServerValidity. It serves both sides of TLS, so a member can use it for
// its client port and for its peer connections.
func (ca *CA) IssueServer(commonName string, hosts []string) (*Cert, error) {
	if strings.TrimSpace(commonName) == "" || len(hosts) == 0 {
		return nil, fmt.Errorf("issue server certificate: %w", ErrEmptyName)
	}
	tmpl, err := template(commonName, ServerValidity)
	if err != nil {
		return nil, fmt.Errorf("issue server certificate %q: %w", commonName, err)
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	c, err := ca.issue(tmpl)
	if err != nil {
		return nil, fmt.Errorf("issue server certificate %q: %w", commonName, err)
	}
	return c, nil
}

// Pool returns a certificate pool that trusts only this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert.Cert)
	return p
}

// TLS returns c as a certificate for crypto/tls.
func (c *Cert) TLS() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{c.Cert.Raw}, PrivateKey: c.Key, Leaf: c.Cert}
}

func (ca *CA) issue(tmpl *x509.Certificate) (*Cert, error) {
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	if tmpl.NotAfter.After(ca.Cert.Cert.NotAfter) {
		tmpl.NotAfter = ca.Cert.Cert.NotAfter
	}
	cert, err := sign(tmpl, ca.Cert.Cert, key.Public(), ca.Key)
	if err != nil {
		return nil, err
	}
	return &Cert{Cert: cert, Key: key}, nil
}

// check verifies that the key belongs to the certificate.
func (c *Cert) check() error {
	pub, ok := c.Cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !pub.Equal(c.Key.Public()) {
		return ErrKeyMismatch
	}
	return nil
}

func newKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

// template starts a certificate named cn, valid from a little before now for validity.
func template(cn string, validity time.Duration) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: []string{organization}},
		NotBefore:    now.Add(-backdate),
		NotAfter:     now.Add(validity),
	}, nil
}

func sign(tmpl, parent *x509.Certificate, pub crypto.PublicKey, key *ecdsa.PrivateKey) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}
