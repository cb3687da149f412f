package demoapp

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageNames are the pages, each parsed with the layout.
var pageNames = []string{"claims", "error", "signedout"}

// pageData is what every page gets; each uses the fields it needs.
type pageData struct {
	Title         string
	Address, Name string
	Rows          []row
	Heading       string
	Message       string
}

type pages struct{ byName map[string]*template.Template }

func parsePages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("demoapp: parse template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// render writes the page; it renders into a buffer first so that a
// template error never leaves half a page.
func (p *pages) render(w http.ResponseWriter, status int, name string, d pageData) {
	var buf bytes.Buffer
	if err := p.byName[name].ExecuteTemplate(&buf, "layout", d); err != nil {
		http.Error(w, "demoapp: render "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// fail shows an error page with the cause and a way to start again. This
// is a demo: the cause is shown to help whoever is trying it.
func (a *app) fail(w http.ResponseWriter, status int, heading string, err error) {
	a.pages.render(w, status, "error", pageData{Title: a.title(), Heading: heading, Message: err.Error()})
}
