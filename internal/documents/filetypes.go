package documents

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// fileType is one accepted kind of file: its canonical MIME type, and how its content is
// recognised (both the extension and the content must agree).
type fileType struct {
	mime string
	// sniff reports whether the first bytes (up to 512) fit, given http.DetectContentType's answer.
	sniff func(head []byte, detected string) bool
	// container, for zip-based formats, checks the archive's entries once it is stored.
	container func(z *zip.Reader) bool
}

func detectedIs(types ...string) func([]byte, string) bool {
	return func(_ []byte, detected string) bool {
		base, _, _ := strings.Cut(detected, ";")
		for _, t := range types {
			if base == t {
				return true
			}
		}
		return false
	}
}

// oleMagic starts the OLE2 compound files of the legacy Office formats (.doc, .xls).
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

func isOLE(head []byte, _ string) bool { return bytes.HasPrefix(head, oleMagic) }

// isText accepts what http.DetectContentType calls plain text (any charset): not HTML, XML or
// binary content renamed .txt.
var isText = detectedIs("text/plain")

var isZip = detectedIs("application/zip")

// hasEntries checks an Office Open XML package: a content-types part and the main part.
func hasEntries(names ...string) func(*zip.Reader) bool {
	return func(z *zip.Reader) bool {
		found := 0
		for _, want := range names {
			for _, f := range z.File {
				if f.Name == want {
					found++
					break
				}
			}
		}
		return found == len(names)
	}
}

// odfMimetype checks an OpenDocument package: its `mimetype` entry names the format.
func odfMimetype(want string) func(*zip.Reader) bool {
	return func(z *zip.Reader) bool {
		for _, f := range z.File {
			if f.Name != "mimetype" {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				return false
			}
			defer rc.Close()
			b, err := io.ReadAll(io.LimitReader(rc, 200))
			return err == nil && strings.TrimSpace(string(b)) == want
		}
		return false
	}
}

// fileTypes is the allow-list, by lower-case extension.
var fileTypes = map[string]fileType{
	".pdf":  {mime: "application/pdf", sniff: detectedIs("application/pdf")},
	".png":  {mime: "image/png", sniff: detectedIs("image/png")},
	".jpg":  {mime: "image/jpeg", sniff: detectedIs("image/jpeg")},
	".jpeg": {mime: "image/jpeg", sniff: detectedIs("image/jpeg")},
	".gif":  {mime: "image/gif", sniff: detectedIs("image/gif")},
	".webp": {mime: "image/webp", sniff: detectedIs("image/webp")},
	".txt":  {mime: "text/plain", sniff: isText},
	".csv":  {mime: "text/csv", sniff: isText},
	".doc":  {mime: "application/msword", sniff: isOLE},
	".xls":  {mime: "application/vnd.ms-excel", sniff: isOLE},
	".docx": {mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", sniff: isZip,
		container: hasEntries("[Content_Types].xml", "word/document.xml")},
	".xlsx": {mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", sniff: isZip,
		container: hasEntries("[Content_Types].xml", "xl/workbook.xml")},
	".odt": {mime: "application/vnd.oasis.opendocument.text", sniff: isZip,
		container: odfMimetype("application/vnd.oasis.opendocument.text")},
	".ods": {mime: "application/vnd.oasis.opendocument.spreadsheet", sniff: isZip,
		container: odfMimetype("application/vnd.oasis.opendocument.spreadsheet")},
}

// AcceptedExtensions lists the allow-list, for messages.
const AcceptedExtensions = "pdf, png, jpg/jpeg, gif, webp, txt, csv, doc/docx, xls/xlsx, odt/ods"

// Inline reports whether browsers may show the type in place (images and PDF) rather than
// download it.
func Inline(mime string) bool {
	return strings.HasPrefix(mime, "image/") || mime == "application/pdf"
}

// sniffLen is how much of the content http.DetectContentType looks at.
const sniffLen = 512

// maxFilenameBytes bounds a stored file name (the column allows 255 characters).
const maxFilenameBytes = 200

// SanitizeFilename turns a client's file name into a safe one: the last path element only (a
// client may send C:\dir\file.pdf or ../../x), Unicode NFC, letters, digits, spaces and
// ._-()+ kept, anything else (controls, quotes, slashes, separators) replaced by _, no leading
// dot, at most 200 bytes with the extension kept. It returns "" when nothing usable is left.
func SanitizeFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = norm.NFC.String(name)
	var b strings.Builder
	lastUnderscore := false
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-()+", r):
			b.WriteRune(r)
			lastUnderscore = false
		case r == ' ' || r == '\t':
			b.WriteRune(' ')
			lastUnderscore = false
		default:
			if !lastUnderscore {
				b.WriteRune('_')
				lastUnderscore = true
			}
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ") // no runs of spaces, none at the ends
	out = strings.TrimLeft(out, ". ")
	out = strings.TrimRight(out, ". ")
	if len(out) > maxFilenameBytes {
		ext := path.Ext(out)
		if len(ext) > 16 {
			ext = ""
		}
		stem := out[:maxFilenameBytes-len(ext)]
		for !utf8.ValidString(stem) {
			stem = stem[:len(stem)-1]
		}
		out = strings.TrimRight(stem, ". ") + ext
	}
	if strings.Trim(out, "_") == "" {
		return ""
	}
	return out
}

// extensionOf is the lower-case extension of a sanitised name ("" when it has none).
func extensionOf(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if ext == "." {
		return ""
	}
	return ext
}

// detect checks the extension and the first bytes against the allow-list.
func detect(filename string, head []byte) (fileType, error) {
	ext := extensionOf(filename)
	if ext == "" {
		return fileType{}, errNoExtension
	}
	ft, ok := fileTypes[ext]
	if !ok {
		return fileType{}, &UnsupportedTypeError{Detail: "Type de fichier non accepté (" + ext + ") : formats acceptés " + AcceptedExtensions}
	}
	detected := http.DetectContentType(head)
	if !ft.sniff(head, detected) {
		return fileType{}, &UnsupportedTypeError{Detail: "Le contenu du fichier ne correspond pas à son extension " + ext +
			" (contenu détecté : " + detected + ")"}
	}
	return ft, nil
}
