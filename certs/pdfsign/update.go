package pdfsign

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// document is what an incremental update needs to know about the PDF it
// extends.
type document struct {
	ctx        *model.Context
	prev       int64 // offset of the last cross-reference section
	xrefStream bool  // the last section is a cross-reference stream
	pageRef    types.IndirectRef
	page       types.Dict
}

// readDocument reads the PDF's structure with pdfcpu. Nothing is
// rewritten: the context only tells which objects the update replaces.
func readDocument(pdf []byte) (*document, error) {
	ctx, err := api.ReadContext(bytes.NewReader(pdf), model.NewDefaultConfiguration())
	if err != nil {
		return nil, fmt.Errorf("read PDF: %w", err)
	}
	if ctx.Encrypt != nil {
		return nil, errors.New("encrypted PDFs are not supported")
	}
	if ctx.Root == nil || ctx.Size == nil {
		return nil, errors.New("PDF trailer has no /Root or /Size")
	}

	prev, err := lastXRef(pdf)
	if err != nil {
		return nil, err
	}

	if err := ctx.EnsurePageCount(); err != nil {
		return nil, fmt.Errorf("count pages: %w", err)
	}
	page, ref, _, err := ctx.PageDict(1, false)
	if err != nil {
		return nil, fmt.Errorf("find page 1: %w", err)
	}
	if ref == nil {
		return nil, errors.New("page 1 is not an indirect object")
	}
	return &document{ctx: ctx, prev: prev, xrefStream: !bytes.HasPrefix(pdf[prev:], []byte("xref")),
		pageRef: *ref, page: page}, nil
}

// lastXRef returns the offset that the file's final startxref names: the
// new section's /Prev, and the place that says which kind of section
// (table or stream) the update must continue with.
func lastXRef(pdf []byte) (int64, error) {
	tail := pdf[max(0, len(pdf)-1024):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return 0, errors.New("PDF has no startxref")
	}

	fields := bytes.Fields(tail[i+len("startxref"):])
	if len(fields) == 0 {
		return 0, errors.New("PDF has an empty startxref")
	}
	off, err := strconv.ParseInt(string(fields[0]), 10, 64)
	if err != nil || off <= 0 || off >= int64(len(pdf)) {
		return 0, fmt.Errorf("PDF has a bad startxref %q", fields[0])
	}
	return off, nil
}

// update appends objects after the original bytes and records where each
// one starts, for the new cross-reference section.
type update struct {
	buf     *bytes.Buffer
	offsets map[int]int64 // object number to offset; generation is kept in gens
	gens    map[int]int
	next    int // next unused object number
}

func newUpdate(pdf []byte, size int) *update {
	buf := bytes.NewBuffer(make([]byte, 0, len(pdf)+16<<10))
	buf.Write(pdf)
	// An update must start on a new line, and some writers omit the last EOL.
	if len(pdf) > 0 && pdf[len(pdf)-1] != '\n' && pdf[len(pdf)-1] != '\r' {
		buf.WriteByte('\n')
	}
	return &update{buf: buf, offsets: map[int]int64{}, gens: map[int]int{}, next: size}
}

// reserve returns a fresh object number.
func (u *update) reserve() int {
	u.next++
	return u.next - 1
}

// begin starts object nr; its body follows.
func (u *update) begin(nr, gen int) {
	u.offsets[nr] = int64(u.buf.Len())
	u.gens[nr] = gen
	fmt.Fprintf(u.buf, "%d %d obj\n", nr, gen)
}

func (u *update) end() { u.buf.WriteString("\nendobj\n") }

// object writes a whole object.
func (u *update) object(nr, gen int, body string) {
	u.begin(nr, gen)
	u.buf.WriteString(body)
	u.end()
}

// finish writes the cross-reference section and trailer in the same kind
// as the section before it: a reader that needed streams before still
// finds one, and a classic file stays readable by classic-only readers.
func (u *update) finish(doc *document) []byte {
	trailer := types.Dict{"Root": *doc.ctx.Root, "Prev": types.Integer(doc.prev)}
	if doc.ctx.Info != nil {
		trailer["Info"] = *doc.ctx.Info
	}
	if len(doc.ctx.ID) > 0 {
		trailer["ID"] = doc.ctx.ID
	}

	start := int64(u.buf.Len())
	if doc.xrefStream {
		u.xrefStream(trailer)
	} else {
		u.xrefTable(trailer)
	}
	fmt.Fprintf(u.buf, "startxref\n%d\n%%%%EOF\n", start)
	return u.buf.Bytes()
}

func (u *update) xrefTable(trailer types.Dict) {
	u.buf.WriteString("xref\n")
	for _, run := range runs(u.offsets) {
		fmt.Fprintf(u.buf, "%d %d\n", run[0], run[1])
		for nr := run[0]; nr < run[0]+run[1]; nr++ {
			fmt.Fprintf(u.buf, "%010d %05d n \n", u.offsets[nr], u.gens[nr])
		}
	}
	trailer["Size"] = types.Integer(u.next)
	fmt.Fprintf(u.buf, "trailer\n%s\n", trailer.PDFString())
}

// xrefStream writes an uncompressed cross-reference stream: the section is
// a few dozen bytes, so compressing it would only cost time.
func (u *update) xrefStream(trailer types.Dict) {
	nr := u.reserve()
	u.offsets[nr] = int64(u.buf.Len())

	var data []byte
	var index types.Array
	for _, run := range runs(u.offsets) {
		index = append(index, types.Integer(run[0]), types.Integer(run[1]))
		for n := run[0]; n < run[0]+run[1]; n++ {
			data = append(data, 1)
			data = binary.BigEndian.AppendUint32(data, uint32(u.offsets[n]))
			data = binary.BigEndian.AppendUint16(data, uint16(u.gens[n]))
		}
	}

	trailer["Type"] = types.Name("XRef")
	trailer["Size"] = types.Integer(u.next)
	trailer["W"] = types.Array{types.Integer(1), types.Integer(4), types.Integer(2)}
	trailer["Index"] = index
	trailer["Length"] = types.Integer(len(data))
	fmt.Fprintf(u.buf, "%d 0 obj\n%s\nstream\n", nr, trailer.PDFString())
	u.buf.Write(data)
	u.buf.WriteString("\nendstream\nendobj\n")
}

// runs groups the object numbers into [first, count] subsections.
func runs(offsets map[int]int64) [][2]int {
	nrs := make([]int, 0, len(offsets))
	for nr := range offsets {
		nrs = append(nrs, nr)
	}
	slices.Sort(nrs)

	var out [][2]int
	for _, nr := range nrs {
		if n := len(out); n > 0 && out[n-1][0]+out[n-1][1] == nr {
			out[n-1][1]++
			continue
		}
		out = append(out, [2]int{nr, 1})
	}
	return out
}
