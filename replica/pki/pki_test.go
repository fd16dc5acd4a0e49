package pki_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/epicevents/crm/replica/pki"
)

func mustCA(tb testing.TB) *pki.CA {
	tb.Helper()
	ca, err := pki.NewCA("Epic Events team CA")
	if err != nil {
		tb.Fatal(err)
	}
	return ca
}

// near reports whether d is within a day of want.
func near(d, want time.Duration) bool {
	diff := d - want
	return diff > -24*time.Hour && diff < 24*time.Hour
}

func TestNewCA(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ca := mustCA(t)
		c := ca.Cert.Cert
		if !c.IsCA || !c.BasicConstraintsValid || c.KeyUsage&x509.KeyUsageCertSign == 0 {
			t.Fatalf("not a CA: IsCA=%v usage=%v", c.IsCA, c.KeyUsage)
		}
		if ca.Key.Curve != elliptic.P256() {
			t.Fatalf("curve = %v, want P-256", ca.Key.Curve.Params().Name)
		}
		if err := c.CheckSignatureFrom(c); err != nil {
			t.Fatalf("not self-signed: %v", err)
		}
		if got := c.NotAfter.Sub(time.Now()); !near(got, 10*365*24*time.Hour) {
			t.Fatalf("valid for %v, want ten years", got)
		}
	})
	t.Run("ErrEmptyName", func(t *testing.T) {
		if _, err := pki.NewCA(" "); !errors.Is(err, pki.ErrEmptyName) {
			t.Fatalf("err = %v, want ErrEmptyName", err)
		}
	})
}

func TestCA_IssueClient(t *testing.T) {
	ca := mustCA(t)
	t.Run("OK", func(t *testing.T) {
		c, err := ca.IssueClient("u-42")
		if err != nil {
			t.Fatal(err)
		}
		if c.Cert.Subject.CommonName != "u-42" {
			t.Fatalf("CN = %q", c.Cert.Subject.CommonName)
		}
		if c.Key.Curve != elliptic.P256() || c.Cert.IsCA {
			t.Fatalf("curve %s, IsCA %v", c.Key.Curve.Params().Name, c.Cert.IsCA)
		}
		if got := c.Cert.NotAfter.Sub(time.Now()); !near(got, 365*24*time.Hour) {
			t.Fatalf("valid for %v, want one year", got)
		}
		opts := x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
		if _, err := c.Cert.Verify(opts); err != nil {
			t.Fatalf("verify as client: %v", err)
		}
		opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		if _, err := c.Cert.Verify(opts); err == nil {
			t.Fatal("a client certificate verified as a server certificate")
		}
	})
	t.Run("ErrEmptyName", func(t *testing.T) {
		if _, err := ca.IssueClient(""); !errors.Is(err, pki.ErrEmptyName) {
			t.Fatalf("err = %v, want ErrEmptyName", err)
		}
	})
	t.Run("ErrOtherCA", func(t *testing.T) {
		c, err := mustCA(t).IssueClient("u-1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err == nil {
			t.Fatal("a certificate of another CA verified")
		}
	})
}

func TestCA_IssueServer(t *testing.T) {
	ca := mustCA(t)
	t.Run("OK", func(t *testing.T) {
		c, err := ca.IssueServer("etcd-1", []string{"127.0.0.1", "::1", "localhost", "etcd1.office.lan"})
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Cert.IPAddresses) != 2 || len(c.Cert.DNSNames) != 2 {
			t.Fatalf("IPs %v, DNS %v", c.Cert.IPAddresses, c.Cert.DNSNames)
		}
		for _, host := range []string{"127.0.0.1", "::1", "localhost", "etcd1.office.lan"} {
			opts := x509.VerifyOptions{Roots: ca.Pool(), DNSName: host}
			if _, err := c.Cert.Verify(opts); err != nil {
				t.Fatalf("verify for %s: %v", host, err)
			}
		}
		if _, err := c.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "other.lan"}); err == nil {
			t.Fatal("verified for a host it does not name")
		}
		if got := c.Cert.NotAfter.Sub(time.Now()); !near(got, 2*365*24*time.Hour) {
			t.Fatalf("valid for %v, want two years", got)
		}
	})
	t.Run("ErrEmptyName", func(t *testing.T) {
		if _, err := ca.IssueServer("etcd-1", nil); !errors.Is(err, pki.ErrEmptyName) {
			t.Fatalf("err = %v, want ErrEmptyName", err)
		}
	})
}

// TestCA_MutualTLS runs a real TLS handshake on loopback: a server certificate and a client
// certificate of the same CA, each side trusting only that CA; the server sees the user's CN.
func TestCA_MutualTLS(t *testing.T) {
	ca := mustCA(t)
	srv, err := ca.IssueServer("etcd-1", []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := ca.IssueClient("u-7")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{srv.TLS()},
		ClientCAs:    ca.Pool(),
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cn := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			cn <- "accept: " + err.Error()
			return
		}
		defer conn.Close()
		tc := conn.(*tls.Conn)
		if err := tc.Handshake(); err != nil {
			cn <- "handshake: " + err.Error()
			return
		}
		cn <- tc.ConnectionState().PeerCertificates[0].Subject.CommonName
		_, _ = io.WriteString(conn, "ok")
	}()
	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{
		Certificates: []tls.Certificate{cli.TLS()},
		RootCAs:      ca.Pool(),
		MinVersion:   tls.VersionTLS12,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.ReadAll(conn); err != nil {
		t.Fatal(err)
	}
	if got := <-cn; got != "u-7" {
		t.Fatalf("server saw %q, want u-7", got)
	}
}

func TestCert_Save(t *testing.T) {
	dir := t.TempDir()
	ca := mustCA(t)
	certFile, keyFile := filepath.Join(dir, "ca.crt"), filepath.Join(dir, "ca.key")
	t.Run("OK", func(t *testing.T) {
		if err := ca.Save(certFile, keyFile); err != nil {
			t.Fatal(err)
		}
		for file, want := range map[string]os.FileMode{certFile: 0o644, keyFile: 0o600} {
			fi, err := os.Stat(file)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != want {
				t.Fatalf("%s mode %v, want %v", file, fi.Mode().Perm(), want)
			}
		}
		got, err := pki.LoadCA(certFile, keyFile)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Cert.Cert.Equal(ca.Cert.Cert) || !got.Key.Equal(ca.Key) {
			t.Fatal("loaded CA differs from the saved one")
		}
		// The loaded CA issues certificates that the saved one's pool trusts.
		c, err := got.IssueClient("u-1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("OverwriteKeepsMode", func(t *testing.T) {
		if err := os.Chmod(keyFile, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := ca.Save(certFile, keyFile); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(keyFile); fi.Mode().Perm() != 0o600 {
			t.Fatalf("key mode %v after overwrite", fi.Mode().Perm())
		}
		left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
		if len(left) != 0 {
			t.Fatalf("temporary files left: %v", left)
		}
	})
	t.Run("ErrNotCA", func(t *testing.T) {
		c, err := ca.IssueClient("u-1")
		if err != nil {
			t.Fatal(err)
		}
		cf, kf := filepath.Join(dir, "u.crt"), filepath.Join(dir, "u.key")
		if err := c.Save(cf, kf); err != nil {
			t.Fatal(err)
		}
		if _, err := pki.LoadCert(cf, kf); err != nil {
			t.Fatal(err)
		}
		if _, err := pki.LoadCA(cf, kf); !errors.Is(err, pki.ErrNotCA) {
			t.Fatalf("err = %v, want ErrNotCA", err)
		}
	})
	t.Run("ErrKeyMismatch", func(t *testing.T) {
		c, err := ca.IssueClient("u-2")
		if err != nil {
			t.Fatal(err)
		}
		keyPEM, err := c.KeyPEM()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pki.ParseCert(ca.CertPEM(), keyPEM); !errors.Is(err, pki.ErrKeyMismatch) {
			t.Fatalf("err = %v, want ErrKeyMismatch", err)
		}
	})
	t.Run("ErrNoPEM", func(t *testing.T) {
		keyPEM, err := ca.KeyPEM()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pki.ParseCert([]byte("not pem"), keyPEM); !errors.Is(err, pki.ErrNoPEM) {
			t.Fatalf("err = %v, want ErrNoPEM", err)
		}
		if _, err := pki.ParseCert(ca.CertPEM(), ca.CertPEM()); !errors.Is(err, pki.ErrNoPEM) {
			t.Fatalf("err = %v, want ErrNoPEM", err)
		}
	})
	t.Run("ErrMissingFile", func(t *testing.T) {
		if _, err := pki.LoadCA(filepath.Join(dir, "none.crt"), keyFile); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("err = %v, want not exist", err)
		}
	})
}

// TestCert_KeyIsECDSA checks the key type that etcd and Go's TLS stack accept.
func TestCert_KeyIsECDSA(t *testing.T) {
	ca := mustCA(t)
	keyPEM, err := ca.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(ca.CertPEM(), keyPEM)
	if err != nil {
		t.Fatalf("crypto/tls refuses the pair: %v", err)
	}
	if _, ok := pair.PrivateKey.(*ecdsa.PrivateKey); !ok {
		t.Fatalf("key type %T", pair.PrivateKey)
	}
}
