package ui

import (
	"errors"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage/repository"
)

// Fyne's save dialog hands its callback a writer it has already opened — truncating the chosen
// file — before the program can look at the name. Pointed at the database, that would empty the
// live database before core could refuse it. The window therefore registers, for the "file"
// scheme, Fyne's own repository with one change: a writer opens its file at the first Write. The
// window never writes through it: it takes the path and lets core write the file (after
// refusing the database's own files), so the dialog itself touches nothing.

// fileRepository is what Fyne's file repository implements.
type fileRepository interface {
	repository.AppendableRepository
	repository.ListableRepository
	repository.HierarchicalRepository
	repository.DeleteAllRepository
	repository.CopyableRepository
	repository.MovableRepository
}

// lazyFileRepository is Fyne's file repository whose writers open their file when first used.
type lazyFileRepository struct{ fileRepository }

// Writer returns a writer that creates or truncates the file at its first Write, not before.
func (r lazyFileRepository) Writer(u fyne.URI) (fyne.URIWriteCloser, error) {
	return &lazyWriter{uri: u, open: func() (fyne.URIWriteCloser, error) { return r.fileRepository.Writer(u) }}, nil
}

// useLazyFileWriters registers lazyFileRepository for "file" URIs, once per driver (each Fyne
// driver registers its own repository when it starts).
func useLazyFileWriters() {
	r, err := repository.ForScheme("file")
	if err != nil {
		return
	}
	if _, done := r.(lazyFileRepository); done {
		return
	}
	if full, ok := r.(fileRepository); ok {
		repository.Register("file", lazyFileRepository{full})
	}
}

// lazyWriter opens its file on the first Write. Closing it unused leaves the file untouched.
type lazyWriter struct {
	uri  fyne.URI
	open func() (fyne.URIWriteCloser, error)
	mu   sync.Mutex
	w    fyne.URIWriteCloser
	err  error
}

// URI returns the file's URI.
func (l *lazyWriter) URI() fyne.URI { return l.uri }

// Write opens the file (creating or truncating it) the first time, then writes to it.
func (l *lazyWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w == nil && l.err == nil {
		l.w, l.err = l.open()
	}
	if l.err != nil {
		return 0, l.err
	}
	return l.w.Write(p)
}

// Close closes the file if it was opened.
func (l *lazyWriter) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w == nil {
		l.err = errors.New("closed")
		return nil
	}
	return l.w.Close()
}
