package pki

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/epicevents/crm/core/datadir"
)

// File modes of what Save writes.
const (
	// CertFileMode is the mode of a certificate file: certificates are public.
	CertFileMode os.FileMode = 0o644
	// KeyFileMode is the mode of a private key file: its owner only.
	KeyFileMode os.FileMode = 0o600
)

// PEM block types.
const (
	certBlock = "CERTIFICATE"
	keyBlock  = "PRIVATE KEY"
)

var (
	// ErrNoPEM is returned when a file holds no PEM block of the expected type.
	ErrNoPEM = errors.New("no PEM block found")
	// ErrNotECDSA is returned for a private key that is not an ECDSA key.
	ErrNotECDSA = errors.New("private key is not an ECDSA key")
)

// CertPEM returns the certificate as a PEM block.
func (c *Cert) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: certBlock, Bytes: c.Cert.Raw})
}

// KeyPEM returns the private key as a PKCS #8 PEM block. It is a secret: never log it.
func (c *Cert) KeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		return nil, fmt.Errorf("encode key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: keyBlock, Bytes: der}), nil
}

// Save writes the certificate to certFile (mode CertFileMode) and the key to keyFile (mode
// KeyFileMode), each atomically: a reader sees the old file or the whole new one.
func (c *Cert) Save(certFile, keyFile string) error {
	keyPEM, err := c.KeyPEM()
	if err != nil {
		return fmt.Errorf("save %s: %w", keyFile, err)
	}
	if err := datadir.WriteFileAtomic(keyFile, keyPEM, KeyFileMode); err != nil {
		return fmt.Errorf("save key: %w", err)
	}
	return c.SaveCert(certFile)
}

// SaveCert writes only the certificate to certFile (mode CertFileMode), atomically: what a
// laptop keeps of the team's CA.
func (c *Cert) SaveCert(certFile string) error {
	if err := datadir.WriteFileAtomic(certFile, c.CertPEM(), CertFileMode); err != nil {
		return fmt.Errorf("save certificate: %w", err)
	}
	return nil
}

// ParseCert decodes a certificate and its key from PEM and checks that they belong together.
func ParseCert(certPEM, keyPEM []byte) (*Cert, error) {
	cert, err := ParseCertificate(certPEM)
	if err != nil {
		return nil, err
	}
	key, err := parseKey(keyPEM)
	if err != nil {
		return nil, err
	}
	c := &Cert{Cert: cert, Key: key}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("parse certificate: %w", err)
	}
	return c, nil
}

// ParseCertificate decodes the first certificate of a PEM text.
func ParseCertificate(certPEM []byte) (*x509.Certificate, error) {
	der, err := decode(certPEM, certBlock)
	if err != nil {
		return nil, fmt.Errorf("parse certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse certificate: %w", err)
	}
	return cert, nil
}

// LoadCert reads a certificate and its key from files written by Save.
func LoadCert(certFile, keyFile string) (*Cert, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("load certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("load certificate: %w", err)
	}
	c, err := ParseCert(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", certFile, err)
	}
	return c, nil
}

// LoadCA reads a CA's certificate and key from files written by Save and checks that the
// certificate is a CA.
func LoadCA(certFile, keyFile string) (*CA, error) {
	c, err := LoadCert(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return NewCAFrom(c)
}

func parseKey(keyPEM []byte) (*ecdsa.PrivateKey, error) {
	der, err := decode(keyPEM, keyBlock)
	if err != nil {
		return nil, fmt.Errorf("parse key: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("parse key: %w", err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("parse key: %w", ErrNotECDSA)
	}
	return key, nil
}

// decode returns the bytes of the first PEM block of type typ in data.
func decode(data []byte, typ string) ([]byte, error) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, fmt.Errorf("%w: %s", ErrNoPEM, typ)
		}
		if b.Type == typ {
			return b.Bytes, nil
		}
	}
}
