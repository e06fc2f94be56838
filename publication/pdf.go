package publication

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// EnvBrowser names the variable that points at the Chromium (or Chrome) binary that prints
// PDFs; without it, Browser looks for /usr/bin/chromium and then chromium, chromium-browser,
// google-chrome and google-chrome-stable on the PATH.
const EnvBrowser = "ACCREDIT_CHROMIUM"

// ErrNoBrowser is returned by Browser when no Chromium is installed.
var ErrNoBrowser = errors.New("no Chromium found to print the PDF: install chromium (apt-get install chromium) or set " +
	EnvBrowser + " to the browser's path")

// Browser finds the Chromium binary that prints PDFs.
func Browser() (string, error) {
	if p := os.Getenv(EnvBrowser); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvBrowser, p, err)
		}
		return p, nil
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoBrowser
}

// BrowserOptions are the flags of the headless browser the service starts (for the PDF, and
// the browser tests): headless, no first-run screens, no GPU, and no sandbox when running as
// root (in a container), where Chromium's sandbox cannot start.
func BrowserOptions(path string) []chromedp.ExecAllocatorOption {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.DisableGPU)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	return opts
}

// PDF prints an HTML document (AnnualReport.HTML) to PDF with headless Chromium's own print
// (the DevTools command Page.printToPDF): A4, the document's margins, backgrounds printed,
// a tagged (accessible) PDF with an outline from the headings. browser is the binary
// (Browser finds it). The document is loaded from a private temporary file, so it needs no
// server and reaches no network.
func PDF(ctx context.Context, html []byte, browser string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "accredit-pdf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, html, 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(BrowserOptions(browser), chromedp.UserDataDir(filepath.Join(dir, "profile")))...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(alloc)
	defer cancelTab()
	if err := chromedp.Do(tab, chromedp.Navigate("file://"+file)); err != nil {
		return nil, fmt.Errorf("open the report in %s: %w", browser, err)
	}
	tagged, outline := true, true
	pdf, err := chromedp.Run(tab, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPrintBackground(),
		chromedp.PDFPreferCSSPageSize(), func(p *page.PrintToPDFParams) {
			p.GenerateTaggedPDF, p.GenerateDocumentOutline = &tagged, &outline
		}))
	if err != nil {
		return nil, fmt.Errorf("print the report to PDF with %s: %w", browser, err)
	}
	return pdf, nil
}
